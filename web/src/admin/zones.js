// The chosen property's zones, for selects and names in the tables.
import { ref } from 'vue'
import { adminApi } from './api.js'
import { admin } from './state.js'

export function useZones() {
  const zones = ref([])
  const load = async () => (zones.value = await adminApi.list('zones', { property_id: admin.propertyId }))
  load().catch(() => {})
  const options = () => zones.value.filter((z) => z.active).map((z) => ({ value: z.id, label: z.name_zh }))
  const name = (id) => zones.value.find((z) => z.id === id)?.name_zh || ''
  return { zones, load, options, name }
}

export function useDepartments() {
  const departments = ref([])
  const load = async () => (departments.value = await adminApi.list('departments', { property_id: admin.propertyId }))
  load().catch(() => {})
  const options = () => departments.value.filter((d) => d.active).map((d) => ({ value: d.id, label: d.name_zh }))
  const name = (id) => departments.value.find((d) => d.id === id)?.name_zh || ''
  return { departments, load, options, name }
}
