/**
 * Run as a separate process by sqlite-processes.test.ts: opens the store the environment configures, writes one
 * invocation and one feedback item, closes, and prints the pseudonym key it was given.
 */
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { openStore } from '../../../src/store/sqlStore.js';
import { invocation, overridden } from './helpers.js';

const store = await openStore(loadConfig(), { logger: silentLogger() });
const record = invocation();
store.audit.record(record);
await store.recordFeedback('order-sign-advice', [overridden(record.cards[0]!.uuid, 'from a child process')]);
await store.close();
process.stdout.write(`${store.pseudonymKey}\n`);
