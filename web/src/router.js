// Screens as users name them. The patrol path is in the first download; the rest loads on use.
import { createRouter, createWebHistory } from 'vue-router'
import { watch } from 'vue'
import { session } from './session.js'
import LoginView from './views/LoginView.vue'
import HomeView from './views/HomeView.vue'
import ScanView from './views/ScanView.vue'
import ChecklistView from './views/ChecklistView.vue'
import OutboxView from './views/OutboxView.vue'

export const ADMIN_ROLES = ['admin', 'supervisor']
// One import() for all back-office screens keeps the entry's preload map small.
const admin = (name) => () => import('./admin/index.js').then((m) => m[name])

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/', name: 'home', component: HomeView, meta: { tab: true } },
  { path: '/scan', name: 'scan', component: ScanView },
  // What a label's QR encodes; the phone's own camera app opens it here.
  {
    path: '/c/:code',
    redirect: (to) => ({
      name: 'checklist',
      params: { code: String(to.params.code).toUpperCase() },
      // A signed label's version and signature (s, v) are passed on to the checklist.
      query: { via: 'link', ...(to.query.s && to.query.v ? { s: to.query.s, v: to.query.v } : {}) },
    }),
  },
  { path: '/checkpoint/:code', name: 'checklist', component: ChecklistView },
  { path: '/outbox', name: 'outbox', component: OutboxView, meta: { tab: true } },
  { path: '/me', name: 'me', component: () => import('./views/MeView.vue'), meta: { tab: true } },
  { path: '/tickets', name: 'tickets', component: () => import('./views/TicketListView.vue') },
  { path: '/tickets/new', name: 'new-ticket', component: () => import('./views/NewTicketView.vue') },
  { path: '/tickets/:id(\\d+)', name: 'ticket', component: () => import('./views/TicketView.vue') },
  { path: '/units/:id(\\d+)', name: 'unit', component: () => import('./views/UnitView.vue') },
  { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue') },
  {
    path: '/daily',
    name: 'daily',
    component: () => import('./views/DailyView.vue'),
    meta: { roles: ['frontdesk', 'supervisor', 'admin'] },
  },
  {
    path: '/coverage',
    name: 'coverage',
    component: () => import('./views/CoverageView.vue'),
    meta: { roles: ['supervisor', 'admin', 'frontdesk'] },
  },
  // The back office (后台管理) for admins and supervisors at a desk: all of it loads on use.
  {
    path: '/admin',
    component: admin('AdminLayout'),
    meta: { admin: true },
    children: [
      { path: '', redirect: '/admin/property' },
      { path: 'property', component: admin('PropertiesView') },
      { path: 'zones', component: admin('ZonesView') },
      { path: 'checkpoints', component: admin('CheckpointsView') },
      { path: 'units', component: admin('UnitsView') },
      { path: 'departments', component: admin('DepartmentsView') },
      { path: 'import', component: admin('ImportView') },
      { path: 'checklists', component: admin('ChecklistsView') },
      { path: 'checklists/:id', component: admin('ChecklistEditView') },
      { path: 'labels', component: admin('LabelsView') },
      { path: 'users', component: admin('UsersView') },
      { path: 'routing', component: admin('RoutingView') },
      { path: 'channels', component: admin('ChannelsView') },
      { path: 'audit', component: admin('AuditView') },
      { path: 'password', component: admin('PasswordView') },
    ],
  },
  {
    path: '/review',
    name: 'review',
    component: () => import('./views/ReviewView.vue'),
    meta: { roles: ['supervisor', 'admin'] },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

function ready() {
  if (session.ready) return Promise.resolve()
  return new Promise((resolve) => {
    const stop = watch(() => session.ready, (r) => r && (stop(), resolve()))
  })
}

router.beforeEach(async (to) => {
  await ready()
  if (!to.meta.public && !session.user) return { name: 'login', query: { next: to.fullPath } }
  if (to.name === 'login' && session.user) return { path: '/' }
  if (to.meta.roles && !to.meta.roles.includes(session.user?.role)) return { path: '/' }
  if (to.matched.some((r) => r.meta.admin) && !ADMIN_ROLES.includes(session.user.role)) return { path: '/' }
  return true
})

// A session that ends while the app is open (401 from the server) goes back to the login.
watch(
  () => session.user,
  (user) => {
    const route = router.currentRoute.value
    if (!user && session.ready && !route.meta.public) {
      router.replace({ name: 'login', query: { next: route.fullPath } })
    }
  },
)
