import { AppError } from '../../core/errors/app-error.js';
import { keyIdOf } from '../api-keys/api-key-store.js';

export const APCA_KEY_ID_HEADER = 'apca-api-key-id';
export const APCA_SECRET_HEADER = 'apca-api-secret-key';

/**
 * A gateway API key presented the way Alpaca's SDKs present Alpaca's keys: `APCA-API-KEY-ID` the
 * key's id, `APCA-API-SECRET-KEY` the whole key as `npm run apikey` prints it (`oa_<id>_…`).
 * Undefined when neither is sent; a key whose id disagrees with the id header (or a lone header)
 * is refused like any bad key (INVALID_API_KEY), never tried as Alpaca's own key.
 */
export function apiKeyFromAlpacaHeaders(keyId: string | undefined, secret: string | undefined): string | undefined {
  if (keyId === undefined && secret === undefined) return undefined;
  if (keyId === undefined || secret === undefined || keyIdOf(secret) !== keyId) {
    throw new AppError('INVALID_API_KEY', {
      message: 'APCA-API-KEY-ID must be the id of the gateway API key sent whole in APCA-API-SECRET-KEY.',
      details: { reason: 'APCA-API-KEY-ID and APCA-API-SECRET-KEY do not name one gateway API key' },
    });
  }
  return secret;
}
