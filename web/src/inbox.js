// The unread count of my inbox (站内消息), for the 我的 tab's badge: asked when online.

import { reactive } from 'vue'
import { api } from './api.js'
import { session } from './session.js'

export const inbox = reactive({ unread: 0 })

/** Ask the server how many messages wait; offline or logged out, keep the last figure. */
export async function refreshUnread() {
  if (!session.user || !session.online || session.unverified) return
  try {
    inbox.unread = (await api.inboxUnread()).unread
  } catch {
    // Offline, or the session ended: the badge stays as it was.
  }
}
