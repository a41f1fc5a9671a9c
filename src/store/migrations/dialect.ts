/** The SQL dialects Maildesk runs on; migrations branch on it only where the DDL differs. */
export type SqlDialect = 'sqlite' | 'postgres'
