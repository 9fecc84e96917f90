import { createSqliteStorage } from '@dealflow/storage-sqlite'
import { setupFullCycle } from '@dealflow/templates'

const storage = createSqliteStorage({ filename: 'crm.db' })
const { engine, guide } = setupFullCycle({ storage })
const { record: lead } = await engine.create('lead', { fields: { name: 'Li Wei', source: 'web_form' }, ownerId: 'ana' }, { actor: { id: 'ana', roles: ['rep'] } })
console.log((await guide(lead.id)).todo)
await storage.close()

export {};
