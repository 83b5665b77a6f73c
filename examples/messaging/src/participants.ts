// A participant cache kept fresh by a Redis subscription: every join or leave published on the channel updates it.
import type { Redis } from 'ioredis'

export const PARTICIPANTS_CHANNEL = 'participants'

export class ParticipantCache {
  private readonly participants = new Map<string, Set<string>>()

  constructor(private readonly subscriber: Redis) {}

  async start(): Promise<void> {
    this.subscriber.on('message', this.onMessage)
    await this.subscriber.subscribe(PARTICIPANTS_CHANNEL)
  }

  async stop(): Promise<void> {
    this.subscriber.off('message', this.onMessage)
    await this.subscriber.quit()
  }

  inConversation(conversationId: string): string[] {
    return [...(this.participants.get(conversationId) ?? [])]
  }

  private readonly onMessage = (channel: string, payload: string): void => {
    if (channel !== PARTICIPANTS_CHANNEL) return
    const { conversationId, userId, joined } = JSON.parse(payload) as { conversationId: string; userId: string; joined: boolean }
    const members = this.participants.get(conversationId) ?? new Set<string>()
    if (joined) members.add(userId)
    else members.delete(userId)
    this.participants.set(conversationId, members)
  }
}
