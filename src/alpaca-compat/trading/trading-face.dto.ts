import { OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { toBool, toTrimmedUpperAscii } from '../../core/validation/query-transforms.js';
import { ORDER_SYMBOL } from '../../trading/dto/create-order.dto.js';
import { ACTIVITY_TYPES, ActivitiesQueryDto } from '../../trading/dto/account-history.dto.js';

/* Path and query members of Alpaca's trading operations that /api/v1 names or bounds otherwise. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class OrderIdParam {
  @IsUUID('all', { message: 'order_id must be an order UUID' })
  order_id!: string;
}

/**
 * GET /v2/orders/{order_id}: the gateway reads one order as Alpaca answers without `nested`; the
 * rolled-up form is served by the list (GET /v2/orders?nested=true), so nested=true is refused
 * rather than answered without the legs it asks for.
 */
export class OneOrderQuery {
  @IsOptional()
  @Transform(toBool)
  @Equals(false, {
    message: 'nested=true is not served for one order: list orders with nested=true (GET /v2/orders) instead',
  })
  nested?: boolean;
}

export class ClientOrderIdQuery {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  client_order_id!: string;
}

/** A ticker or OCC symbol (upper-cased like /api/v1's), or Alpaca's asset id. */
export class PositionKeyParam {
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : toTrimmedUpperAscii({ value }),
  )
  @IsString()
  @Matches(new RegExp(`(?:${ORDER_SYMBOL.source})|(?:${UUID.source})`), {
    message: 'symbol_or_asset_id must be a ticker, an OCC option symbol or an asset id (UUID)',
    ...withErrorCode('INVALID_SYMBOL_FORMAT'),
  })
  symbol_or_asset_id!: string;
}

/** Checked part by part by the exercise service (an OCC symbol), so that the error names what is wrong. */
export class ExerciseParam {
  @IsString(withErrorCode('INVALID_OPTION_SYMBOL'))
  @MaxLength(64, withErrorCode('INVALID_OPTION_SYMBOL'))
  symbol_or_contract_id!: string;
}

/** DELETE /v2/positions: Alpaca's bulk close; no confirm on this face (Alpaca's SDKs never send one). */
export class CloseAllQuery {
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  cancel_orders?: boolean;
}

export class ActivityTypeParam {
  @IsIn(ACTIVITY_TYPES, { message: `activity_type must be one of ${ACTIVITY_TYPES.join(', ')}` })
  activity_type!: (typeof ACTIVITY_TYPES)[number];
}

/** GET /v2/account/activities/{activity_type}: the list's filters but the type (and category) fixed by the path. */
export class ActivitiesOfTypeQuery extends OmitType(ActivitiesQueryDto, ['activity_types', 'category'] as const) {}

export class ContractKeyParam {
  @IsString()
  @MaxLength(64)
  symbol_or_id!: string;
}
