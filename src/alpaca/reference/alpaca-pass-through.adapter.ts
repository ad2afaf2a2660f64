import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { AlpacaDataClient, AlpacaTradingClient } from '../http/alpaca-clients.js';
import type { Sourced } from '../stocks/market-data.port.js';
import { feedFor, type UpstreamOperation } from './market-operations.js';
import { PassThroughPort, type UpstreamCall } from './pass-through.port.js';
import { stampProvenance } from '../http/provenance-stamp.js';

/** Fills `{name}` parts of an OpenAPI path template, each value percent-encoded. */
export function fillPath(template: string, values: Record<string, string> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

/** PassThroughPort over Alpaca's REST API: the data host or the trading host, as the operation says. */
@Injectable()
export class AlpacaPassThroughAdapter extends PassThroughPort {
  constructor(
    private readonly data: AlpacaDataClient,
    private readonly trading: AlpacaTradingClient,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async call<T>(op: UpstreamOperation<T>, call: UpstreamCall): Promise<Sourced<T>> {
    const feed = feedFor(op, this.config);
    const client = op.api === 'data' ? this.data : this.trading;
    const res = await client.get(fillPath(op.path, call.path), {
      endpoint: op.path,
      priority: op.priority,
      notFoundCode: op.notFoundCode,
      query: feed === null ? call.query : { ...call.query, feed },
      parse: op.read,
    });
    const provenance = stampProvenance(this.config, {
      dataSource: op.dataSource,
      api: op.api,
      responses: [res],
      timestamps: op.timestamps(res.body),
      feed,
    });
    return { value: res.body, provenance };
  }
}
