import { baseConfig } from './base.mjs';

export default baseConfig('a-plain');
