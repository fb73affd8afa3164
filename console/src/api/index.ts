/** The console's single client instance; ui.ts connects it to Element Plus and the router. */
import { ApiClient } from './client'

export { ApiError, type Envelope } from './client'
export type { Session } from './session'

export const A = '/zhugeleida/admin'
export const api = new ApiClient({ base: import.meta.env.VITE_API_BASE ?? '' })
