'use strict'
// When a paged operation has no more pages: the same rule as the Rust core's log stream.

/**
 * An empty page is the last; so is one that reaches `total`. `limit` and `total` are best
 * effort: without `total`, a page shorter than the page size is the last.
 */
function lastPage(result, page, limit, count) {
  if (count === 0) return true
  const size = (result && result.limit) || limit
  const total = result && result.total
  if (typeof total === 'number' && size) return page * size >= total
  return size !== undefined && size !== null && count < size
}

module.exports = { lastPage }
