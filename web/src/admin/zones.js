// The chosen property's zones and departments, for selects and names in the tables.
import { ref } from 'vue'
import { lang } from '../i18n/index.js'
import { pick } from '../util.js'
import { adminApi } from './api.js'
import { admin } from './state.js'

export function useZones() {
  const zones = ref([])
  const load = async () => (zones.value = await adminApi.list('zones', { property_id: admin.propertyId }))
  load().catch(() => {})
  const options = () => zones.value.filter((z) => z.active).map((z) => ({ value: z.id, label: pick(z, 'name', lang()) }))
  const name = (id) => pick(zones.value.find((z) => z.id === id), 'name', lang())
  return { zones, load, options, name }
}

export function useDepartments() {
  const departments = ref([])
  const load = async () => (departments.value = await adminApi.list('departments', { property_id: admin.propertyId }))
  load().catch(() => {})
  const options = () => departments.value.filter((d) => d.active).map((d) => ({ value: d.id, label: pick(d, 'name', lang()) }))
  const name = (id) => pick(departments.value.find((d) => d.id === id), 'name', lang())
  return { departments, load, options, name }
}
