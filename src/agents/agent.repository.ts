import type { Db } from '../store/database.ts'
import type { AgentRow, AgentUpdate, NewAgentRow } from './agent.table.ts'

/** Agent columns safe to hand to routes and presenters: everything but the password hash. */
export const agentColumns = ['id', 'email', 'display_name', 'role', 'language', 'is_active', 'created_at', 'updated_at'] as const
export type AgentProfile = Omit<AgentRow, 'password_hash'>

export async function insertAgent(db: Db, row: NewAgentRow): Promise<AgentProfile> {
  return db.insertInto('agents').values(row).returning(agentColumns).executeTakeFirstOrThrow()
}

export async function findAgentById(db: Db, id: number): Promise<AgentProfile | undefined> {
  return db.selectFrom('agents').select(agentColumns).where('id', '=', id).executeTakeFirst()
}

export async function findAgentByEmail(db: Db, email: string): Promise<AgentProfile | undefined> {
  return db.selectFrom('agents').select(agentColumns).where('email', '=', email.toLowerCase()).executeTakeFirst()
}

/** The login path alone reads the password hash. */
export async function findAgentCredentialsByEmail(db: Db, email: string): Promise<{ id: number; password_hash: string; is_active: number } | undefined> {
  return db.selectFrom('agents').select(['id', 'password_hash', 'is_active']).where('email', '=', email.toLowerCase()).executeTakeFirst()
}

export async function listAgents(db: Db): Promise<AgentProfile[]> {
  return db.selectFrom('agents').select(agentColumns).orderBy('id', 'asc').execute()
}

export async function countAgents(db: Db): Promise<number> {
  const row = await db.selectFrom('agents').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function updateAgent(db: Db, id: number, update: AgentUpdate): Promise<void> {
  await db.updateTable('agents').set(update).where('id', '=', id).execute()
}
