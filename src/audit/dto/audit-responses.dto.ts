import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS } from '../audit.types.js';

/* Swagger shapes for the audit answers (inside the success envelope). */

export class AuditActorDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'key:3f2c9a0b1d4e5f60' }) sub!: string | null;
  @ApiProperty({ type: [String], example: ['trader'] }) roles!: string[];
  @ApiPropertyOptional({ type: String, nullable: true }) key_id!: string | null;
}

export class AuditRecordDto {
  @ApiProperty({ example: 1 }) seq!: number;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ example: 'order:my-key-1' }) resource!: string;
  @ApiProperty({ example: 'pending' }) outcome!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) request_id!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) client_ip!: string | null;
  @ApiPropertyOptional({
    type: String,
    example: 'paper',
    description:
      'The Alpaca account a record of an order, position write, fill or refusal concerns; absent on records of anything else and on records written before accounts existed.',
  })
  account?: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty({ description: 'hash of the previous record (64 zeros for the first).' }) prev_hash!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Kid of the AUDIT_HMAC_KEY that keyed this record; null for a plain SHA-256 link.',
  })
  hmac_kid!: string | null;
  @ApiProperty({
    description:
      'HMAC-SHA256(key[hmac_kid], prev_hash + canonical JSON of the record without hash); sha256 of the same when unkeyed.',
  })
  hash!: string;
}

export class AuditPageInfoDto {
  @ApiProperty() has_more!: boolean;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Pass as `cursor` for the next page.' })
  next_cursor!: number | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] }) events!: AuditRecordDto[];
  @ApiProperty({ type: AuditPageInfoDto }) page_info!: AuditPageInfoDto;
}

export class AuditBrokenLinkDto {
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null when the record could not be read at all.' })
  seq!: number | null;
  @ApiProperty({ description: '1-based position in the trail.' }) position!: number;
  @ApiProperty() reason!: string;
}

export class AuditCheckpointDto {
  @ApiProperty() seq!: number;
  @ApiProperty() hash!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ description: 'JWK thumbprint of the checkpoint signing key.' }) kid!: string;
}

export class AuditVerifyDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() records_checked!: number;
  @ApiPropertyOptional({ type: AuditBrokenLinkDto, nullable: true }) first_broken!: AuditBrokenLinkDto | null;
  @ApiProperty({ description: 'seq of the last record that verified.' }) last_seq!: number;
  @ApiPropertyOptional({ type: String, nullable: true }) last_hash!: string | null;
  @ApiPropertyOptional({
    type: AuditCheckpointDto,
    nullable: true,
    description: 'The newest checkpoint (signed with AUDIT_SIGNING_KEY) the records were held against.',
  })
  checkpoint!: AuditCheckpointDto | null;
}
