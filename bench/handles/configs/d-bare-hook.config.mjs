import { baseConfig } from './base.mjs';
import { STUB_SETUP } from './leakwatch-setup.mjs';

// The floor: an enabled async_hooks init hook that does nothing. Any tracker built on async_hooks pays this.
export default baseConfig('d-bare-hook', { setupFiles: [STUB_SETUP] });
