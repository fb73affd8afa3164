/** A paged list whose page, size and filters live in the route query (reload keeps them). */
import { reactive, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export interface Page<T> {
  rows: T[]
  total: number
}

export function useList<T, F extends Record<string, unknown>>(
  fetchPage: (query: Record<string, unknown>) => Promise<Page<T>>,
  defaults: F,
  /** Filters that are numbers (ids, codes): read back from the route query as numbers. */
  numeric: Array<keyof F> = [],
) {
  const route = useRoute()
  const router = useRouter()
  const rows = ref<T[]>([]) as { value: T[] }
  const total = ref(0)
  const loading = ref(false)
  const filters = reactive({ ...defaults }) as F
  const paging = reactive({ current_page: 1, length: 10 })

  function fromRoute() {
    const q = route.query
    paging.current_page = Number(q.current_page) || 1
    paging.length = [10, 20, 50, 100].includes(Number(q.length)) ? Number(q.length) : 10
    for (const key of Object.keys(defaults)) {
      const value = q[key]
      const fallback = defaults[key]
      ;(filters as Record<string, unknown>)[key] =
        typeof value === 'string'
          ? typeof fallback === 'number' || (numeric.includes(key) && /^\d+$/.test(value))
            ? Number(value)
            : value
          : fallback
    }
  }

  function query(): Record<string, unknown> {
    const out: Record<string, unknown> = { current_page: paging.current_page, length: paging.length }
    for (const [key, value] of Object.entries(filters)) if (value !== '' && value !== null && value !== undefined) out[key] = value
    return out
  }

  async function load() {
    loading.value = true
    try {
      const page = await fetchPage(query())
      rows.value = page.rows
      total.value = page.total
    } finally {
      loading.value = false
    }
  }

  function push() {
    const q: Record<string, string> = {}
    for (const [key, value] of Object.entries(query())) q[key] = String(value)
    void router.replace({ query: q })
  }

  function search() {
    paging.current_page = 1
    push()
  }

  function reset() {
    Object.assign(filters, defaults)
    search()
  }

  /** The pager: another page, or another page size (back to page 1). */
  function goTo(current: number) {
    paging.current_page = current
    push()
  }

  function resize(length: number) {
    paging.length = length
    search()
  }

  fromRoute()
  const page = route.name
  watch(
    () => route.query,
    () => {
      if (route.name !== page) return // leaving the page: the next one loads its own list
      fromRoute()
      void load()
    },
  )
  void load()

  return { rows, total, loading, filters, paging, load, search, reset, push, goTo, resize }
}
