import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BulkCancelEntryDto } from '../dto/trading-responses.dto.js';
import { MAX_REASON_LENGTH, SCOPE_PATTERN } from './halt-scope.js';

const SCOPE_DOC =
  '`all` (every principal), `account:<name>` (every order on that Alpaca account, as ALPACA_ACCOUNTS names it) or `key:<API key id>` (that key and the tokens issued for it; the 16 hex digits after `oa_`).';
const SCOPE_MESSAGE = 'scope must be `all`, `account:<account name>` or `key:<API key id>` (16 lower-case hex digits)';

/** POST /admin/trading/halt. */
export class HaltRequestDto {
  @ApiProperty({ example: 'all', pattern: SCOPE_PATTERN.source, description: SCOPE_DOC })
  @IsString()
  @Matches(SCOPE_PATTERN, { message: SCOPE_MESSAGE })
  scope!: string;

  @ApiProperty({
    example: 'Risk review after a runaway bot',
    maxLength: MAX_REASON_LENGTH,
    description: 'Why: shown to every refused caller (details.reason) and kept in the audit trail.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_REASON_LENGTH)
  reason!: string;

  @ApiPropertyOptional({
    default: false,
    description:
      "Also cancel every open order (the DELETE /orders path, sent once per account, audited), after the halt is in force: of every account with scope `all`, of the named account with `account:<name>`. Not with a key scope: Alpaca's cancel-all takes every order of an account, not one key's.",
  })
  @IsOptional()
  @IsBoolean()
  cancel_open_orders?: boolean;
}

/** DELETE /admin/trading/halt?scope=…&reason=…. */
export class ResumeQueryDto {
  @ApiProperty({ example: 'all', pattern: SCOPE_PATTERN.source, description: `The halt to end: ${SCOPE_DOC}` })
  @IsString()
  @Matches(SCOPE_PATTERN, { message: SCOPE_MESSAGE })
  scope!: string;

  @ApiPropertyOptional({ maxLength: MAX_REASON_LENGTH, description: 'Why trading resumes (kept in the audit trail).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_REASON_LENGTH)
  reason?: string;
}

export class HaltDto {
  @ApiProperty({ example: 'all', description: SCOPE_DOC }) scope!: string;
  @ApiProperty({ example: 'Risk review after a runaway bot' }) reason!: string;
  @ApiProperty({ format: 'date-time', description: 'When the halt took effect (ISO-8601, UTC).' }) since!: string;
  @ApiProperty({
    example: 'ops-admin',
    description: "Who set it: the admin's token subject, or key:<id> for an API key.",
  })
  by!: string;
}

export class HaltListDto {
  @ApiProperty({ type: [HaltDto], description: 'Every halt in force (`all` first).' }) halts!: HaltDto[];
  @ApiProperty({
    enum: ['known', 'unknown'],
    description:
      'unknown: this instance cannot read the halt state (its store is unreadable and the fleet has not answered); it refuses every order until it can.',
  })
  state!: string;
}

export class CancelOutcomeErrorDto {
  @ApiProperty({ example: 'UPSTREAM_TIMEOUT', description: 'Catalog code of the failed cancel-all.' }) code!: string;
  @ApiProperty() message!: string;
}

export class AccountCancelOutcomeDto {
  @ApiProperty({ example: 'live', description: 'The account whose open orders were canceled.' }) account!: string;
  @ApiPropertyOptional({ type: [BulkCancelEntryDto], nullable: true }) outcomes!: BulkCancelEntryDto[] | null;
  @ApiPropertyOptional({ type: CancelOutcomeErrorDto, nullable: true }) error!: CancelOutcomeErrorDto | null;
}

export class CancelOpenOrdersDto {
  @ApiPropertyOptional({
    type: [BulkCancelEntryDto],
    nullable: true,
    description:
      "One entry per open order as Alpaca reported it (the 207 lists of every account's cancel-all, together); null when no cancel-all was answered.",
  })
  outcomes!: BulkCancelEntryDto[] | null;
  @ApiPropertyOptional({
    type: CancelOutcomeErrorDto,
    nullable: true,
    description: "Why an account's cancel-all failed as a whole (the first such; the halt is in force regardless).",
  })
  error!: CancelOutcomeErrorDto | null;
  @ApiProperty({ type: [AccountCancelOutcomeDto], description: "Each account's cancel-all and what came of it." })
  accounts!: AccountCancelOutcomeDto[];
}

const PROPAGATION_DOC =
  'redis: published, every instance applies it at once; postgres: Redis unreachable or not configured, every instance reads it from PostgreSQL within TRADING_HALT_REFRESH_MS; ' +
  'pending: Redis unreachable and no PostgreSQL, other instances learn it when Redis answers again; none: no Redis and no PostgreSQL (one instance).';

export class HaltResultDto {
  @ApiProperty({ type: HaltDto, description: 'The halt now in force.' }) halt!: HaltDto;
  @ApiPropertyOptional({ type: HaltDto, nullable: true, description: 'The halt of the same scope this one replaced.' })
  replaced!: HaltDto | null;
  @ApiProperty({ type: [HaltDto], description: 'Every halt now in force.' }) halts!: HaltDto[];
  @ApiProperty({ enum: ['redis', 'postgres', 'pending', 'none'], description: PROPAGATION_DOC }) propagation!: string;
  @ApiProperty({ enum: ['postgres', 'file'], description: 'Where the halt is stored durably.' }) store!: string;
  @ApiPropertyOptional({
    type: CancelOpenOrdersDto,
    nullable: true,
    description: 'With cancel_open_orders: what came of each cancel; else null.',
  })
  cancel_open_orders!: CancelOpenOrdersDto | null;
}

export class ResumeResultDto {
  @ApiProperty({ description: 'False when no halt of that scope was in force (nothing changed).' }) resumed!: boolean;
  @ApiPropertyOptional({ type: HaltDto, nullable: true, description: 'The halt that ended.' }) halt!: HaltDto | null;
  @ApiProperty({ type: [HaltDto], description: 'Every halt still in force.' }) halts!: HaltDto[];
  @ApiProperty({ enum: ['redis', 'postgres', 'pending', 'none'], description: PROPAGATION_DOC }) propagation!: string;
  @ApiProperty({ enum: ['postgres', 'file'] }) store!: string;
}
