import { createCalendar, createRuleEngine } from '@dealflow/logic'

const berlin = createCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
})
const rules = createRuleEngine({ calendars: { berlin }, now: () => new Date('2026-12-02T12:00:00Z') })

rules.apply({ now: [] }) // → '2026-12-02T12:00:00.000Z'
rules.apply({ daysSince: { var: 'lastContact' } }, { lastContact: '2026-11-29T12:00:00Z' }) // → 3
rules.apply({ hoursSince: { var: 'createdAt' } }, { createdAt: '2026-12-02T09:30:00Z' }) // → 2.5
rules.apply({ businessDaysSince: [{ var: 'createdAt' }, 'berlin'] }, { createdAt: '2026-11-27T12:00:00Z' }) // → 3
rules.apply({ before: [{ var: 'closeDate' }, { now: [] }] }, { closeDate: '2026-11-30' }) // → true
rules.apply({ after: ['2026-06-01T10:00:00+02:00', '2026-06-01T09:00:00Z'] }) // → false
rules.apply({ matches: [{ var: 'sku' }, '[A-Z]{2}-\\d{4}'] }, { sku: 'AB-1234' }) // → true
rules.apply({ matches: [{ var: 'sku' }, '[A-Z]{2}-\\d{4}'] }, { sku: 'xAB-1234' }) // → false
rules.apply({ in: [{ lower: { trim: { var: 'country' } } }, ['de', 'at']] }, { country: ' DE ' }) // → true
rules.apply({ upper: 'eu' }) // → 'EU'

export {};
