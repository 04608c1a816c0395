import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { placeInQueue, type QueuePlace, type RoomState } from './admission-cursor';
import { AdmissionTokens, type TokenCheck } from './admission-tokens';
import { RedisWaitingRooms } from './redis-waiting-rooms';
import { WaitingRoomCache } from './waiting-room.cache';

export type JoinOutcome = { kind: 'NO_ROOM' } | { kind: 'JOINED'; position: number; queueTicket: string };

/** A buyer's answer: their place, and once admitted the token the purchase routes ask for. */
export interface QueueStatus extends QueuePlace {
  eventId: string;
  /** Present once admitted; absent while waiting. */
  purchaseToken?: string;
  purchaseTokenExpiresAt?: string;
}

export type StatusOutcome =
  | { kind: 'INVALID_TICKET'; reason: Exclude<TokenCheck, { ok: true }>['reason'] }
  /** The room was removed: purchases of the event need no token any more. */
  | { kind: 'NO_ROOM' }
  | { kind: 'STATUS'; status: QueueStatus };

/** Why a purchase was refused at the gate (403); the reason is logged and counted, not told in detail. */
export type AdmissionRefusal =
  | 'TOKEN_MISSING'
  | 'MALFORMED'
  /** Forged, signed by a retired secret, or issued for another event (the event is part of the MAC). */
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'WRONG_KIND'
  | 'OTHER_BUYER';

/**
 * The unset-secret default: a key derived from the admin token (every API process has the same one), bound to
 * this use so the admin token itself never signs anything a buyer sees.
 */
export function signingSecrets(config: Pick<AppConfig, 'WAITING_ROOM_SECRETS' | 'ADMIN_TOKEN'>): string[] {
  if (config.WAITING_ROOM_SECRETS !== undefined) return config.WAITING_ROOM_SECRETS;
  if (config.ADMIN_TOKEN === undefined) throw new Error('WAITING_ROOM_SECRETS or ADMIN_TOKEN is required');
  return [createHmac('sha256', config.ADMIN_TOKEN).update('waiting-room signing key').digest('base64url')];
}

/** The waiting room's use cases: join, ask for one's place, and the purchase routes' admission check. */
@Injectable()
export class WaitingRoom {
  private readonly tokens: AdmissionTokens;

  constructor(
    private readonly store: RedisWaitingRooms,
    private readonly cache: WaitingRoomCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.tokens = new AdmissionTokens(signingSecrets(config));
  }

  async join(eventId: string, buyerId: string): Promise<JoinOutcome> {
    const result = await this.store.join(eventId, buyerId);
    if (result.kind === 'NO_ROOM') return result;
    const queueTicket = this.tokens.sign({
      kind: 'q',
      buyerId,
      eventId,
      position: result.position,
      expiresAt: Date.now() + this.config.WAITING_ROOM_TICKET_TTL_SECONDS * 1000,
    });
    return { kind: 'JOINED', position: result.position, queueTicket };
  }

  /** From the ticket and this process's copy of the room: no Redis round trip. */
  status(eventId: string, queueTicket: string): StatusOutcome {
    const checked = this.tokens.verify(queueTicket, 'q', eventId, Date.now());
    if (!checked.ok) return { kind: 'INVALID_TICKET', reason: checked.reason };
    const room = this.cache.roomOf(eventId);
    if (room === undefined) return { kind: 'NO_ROOM' };
    return { kind: 'STATUS', status: this.statusAt(room, this.cache.now(), checked.claims.buyerId, checked.claims) };
  }

  /** The live stream's variant: the room and clock of one refresh, shared by every watcher of the event. */
  statusAt(room: RoomState, now: number, buyerId: string, ticket: { eventId: string; position: number }): QueueStatus {
    const place = placeInQueue(room, ticket.position, now);
    if (!place.admitted) return { eventId: ticket.eventId, ...place };
    const expiresAt = Date.now() + this.config.WAITING_ROOM_TOKEN_TTL_SECONDS * 1000;
    const purchaseToken = this.tokens.sign({ kind: 'p', buyerId, eventId: ticket.eventId, position: 0, expiresAt });
    return {
      eventId: ticket.eventId,
      ...place,
      purchaseToken,
      purchaseTokenExpiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** A queue ticket's claims, for a stream that then follows the room (undefined: not a valid ticket). */
  ticketClaims(
    eventId: string,
    queueTicket: string,
  ): { buyerId: string; eventId: string; position: number } | undefined {
    const checked = this.tokens.verify(queueTicket, 'q', eventId, Date.now());
    return checked.ok ? checked.claims : undefined;
  }

  /**
   * The purchase routes' check, in memory: undefined when the purchase may go on. An event without a room
   * costs one Map lookup. `buyerId`: the buyer the request names, if it names one; the token must be theirs.
   */
  refusal(eventId: string, buyerId: string | undefined, token: string | undefined): AdmissionRefusal | undefined {
    if (this.cache.roomOf(eventId) === undefined) return undefined;
    if (token === undefined || token === '') return 'TOKEN_MISSING';
    const checked = this.tokens.verify(token, 'p', eventId, Date.now());
    if (!checked.ok) return checked.reason;
    if (buyerId !== undefined && checked.claims.buyerId !== buyerId) return 'OTHER_BUYER';
    return undefined;
  }

  async setRate(eventId: string, admitPerSecond: number): Promise<RoomState | undefined> {
    if (admitPerSecond === 0) {
      await this.store.remove(eventId);
      this.cache.remember(eventId, undefined);
      return undefined;
    }
    const room = await this.store.setRate(eventId, admitPerSecond);
    this.cache.remember(eventId, room);
    return room;
  }
}
