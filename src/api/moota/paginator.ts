/**
 * Laravel's LengthAwarePaginator envelope, which Moota's list endpoints answer with (reference/moota-api.md §3.1).
 * Clients read `data`, `next_page_url` (null on the last page), `last_page`, `current_page` and `total`, so `total`
 * is exact and the URLs are absolute. Link labels are Moota's Indonesian ones. Pure.
 */

export interface PageLink {
  url: string | null
  label: string
  active: boolean
}

export interface LaravelPage<T> {
  current_page: number
  data: T[]
  first_page_url: string
  from: number | null
  last_page: number
  last_page_url: string
  links: PageLink[]
  next_page_url: string | null
  path: string
  per_page: number
  prev_page_url: string | null
  to: number | null
  total: number
}

export interface PaginateParams<T> {
  /** Absolute URL of the list without a query, e.g. `http://127.0.0.1:8080/api/v2/mutation`. */
  path: string
  /** The request's other query parameters, kept in page URLs so a client following `next_page_url` keeps its filters. */
  query?: Record<string, string>
  page: number
  perPage: number
  total: number
  data: T[]
}

// Laravel's UrlWindow: all pages when there are few, else the first two, a window around the current page and
// the last two, with "..." between.
const ON_EACH_SIDE = 3

function pageNumbers(current: number, last: number): (number | '...')[] {
  const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i)
  if (last < ON_EACH_SIDE * 2 + 8) return range(1, last)
  const window = ON_EACH_SIDE + 4
  if (current <= window) return [...range(1, window + ON_EACH_SIDE), '...', last - 1, last]
  if (current > last - window) return [1, 2, '...', ...range(last - (window + ON_EACH_SIDE - 1), last)]
  return [1, 2, '...', ...range(current - ON_EACH_SIDE, current + ON_EACH_SIDE), '...', last - 1, last]
}

export function paginate<T>(p: PaginateParams<T>): LaravelPage<T> {
  const lastPage = Math.max(1, Math.ceil(p.total / p.perPage))
  const url = (page: number) => {
    const q = new URLSearchParams({ ...p.query, page: String(page) })
    return `${p.path}?${q.toString()}`
  }
  const from = p.data.length ? (p.page - 1) * p.perPage + 1 : null
  const prev = p.page > 1 ? url(p.page - 1) : null
  const next = p.page < lastPage ? url(p.page + 1) : null
  return {
    current_page: p.page,
    data: p.data,
    first_page_url: url(1),
    from,
    last_page: lastPage,
    last_page_url: url(lastPage),
    links: [
      { url: prev, label: 'Sebelumnya', active: false },
      ...pageNumbers(p.page, lastPage).map((n) =>
        n === '...'
          ? { url: null, label: '...', active: false }
          : { url: url(n), label: String(n), active: n === p.page },
      ),
      { url: next, label: 'Selanjutnya', active: false },
    ],
    next_page_url: next,
    path: p.path,
    per_page: p.perPage,
    prev_page_url: prev,
    to: from === null ? null : from + p.data.length - 1,
    total: p.total,
  }
}
