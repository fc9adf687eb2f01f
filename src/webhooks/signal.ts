/**
 * "New deliveries were committed": ingest raises it after its transaction commits, and the delivery worker of the same
 * process listens, so a delivery leaves at once instead of at the next poll. Workers in other processes find it at
 * their next poll (LUNAS_WEBHOOK_POLL_MS).
 */
const listeners = new Set<() => void>()

export function onDeliveriesCreated(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function deliveriesCreated(): void {
  for (const l of listeners) l()
}
