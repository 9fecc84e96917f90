import { createMemoryStorage } from '@dealflow/core';
import { runQuickstart } from './quickstart.js';

const storage = createMemoryStorage();

await runQuickstart(storage, (line) => console.log(line));
await storage.close();
