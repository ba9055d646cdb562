// Every user-visible string in Chinese (default) and English; the choice is kept on the phone.
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zh from './zh-CN.js'
import en from './en.js'

const KEY = 'patrol.locale'
export const LOCALES = ['zh-CN', 'en']

function initial() {
  const saved = localStorage.getItem(KEY)
  return LOCALES.includes(saved) ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function setLocale(locale) {
  i18n.global.locale.value = locale
  localStorage.setItem(KEY, locale)
  applyLocale(locale)
}

export function applyLocale(locale = i18n.global.locale.value) {
  Locale.use(locale, locale === 'en' ? vantEn : vantZh)
  document.documentElement.lang = locale
  document.title = i18n.global.t('app.title')
}

/** 'en' or 'zh' for picking name_zh/name_en and the server's detail_zh/detail_en. */
export function lang() {
  return i18n.global.locale.value === 'en' ? 'en' : 'zh'
}
