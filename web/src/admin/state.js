// What the back office shares between screens: the chosen property and the code lists.
import { reactive } from 'vue'
import { api } from '../api.js'
import { session } from '../session.js'
import { adminApi } from './api.js'

const KEY = 'patrol.admin.property'

export const admin = reactive({
  properties: [],
  propertyId: Number(localStorage.getItem(KEY)) || null,
  vocab: session.vocab,
  loaded: false,
})

export async function loadAdmin() {
  const [props, vocab] = await Promise.all([adminApi.list('properties'), api.vocab()])
  admin.properties = props
  admin.vocab = vocab
  if (!props.some((p) => p.id === admin.propertyId)) {
    admin.propertyId = (props.find((p) => p.active) || props[0])?.id || null
  }
  admin.loaded = true
}

export function chooseProperty(id) {
  admin.propertyId = id
  localStorage.setItem(KEY, String(id))
}

export function currentProperty() {
  return admin.properties.find((p) => p.id === admin.propertyId) || null
}

/** The entries of a code list ({code, zh, en}) from /vocab. */
export function vocabList(name) {
  return (admin.vocab && admin.vocab[name]) || []
}

export const isAdmin = () => session.user?.role === 'admin'

/** Options for a select from a code list. */
export function vocabOptions(name, loc) {
  return vocabList(name).map((e) => ({ value: e.code, label: loc === 'en' ? e.en : e.zh }))
}

/** The label of one code in a code list. */
export function vocabLabel(name, code, loc) {
  const e = vocabList(name).find((x) => x.code === code)
  return e ? (loc === 'en' ? e.en : e.zh) : code ?? ''
}
