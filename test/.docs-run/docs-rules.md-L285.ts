import { createCalendar } from '@dealflow/logic'

const berlin = createCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  workingHours: {
    mon: [['09:00', '12:00'], ['13:00', '17:00']], tue: [['09:00', '12:00'], ['13:00', '17:00']], wed: [['09:00', '12:00'], ['13:00', '17:00']],
    thu: [['09:00', '12:00'], ['13:00', '17:00']], fri: [['09:00', '12:00'], ['13:00', '17:00']],
  },
  holidays: ['2026-12-25'],
})
// Friday 16:00 in Berlin + 3 working hours: one hour on Friday, two on Monday morning.
berlin.addBusinessTime('2026-11-27T15:00:00Z', 'PT3H') // → '2026-11-30T10:00:00.000Z'
// Thursday 24 December 16:00 + 1 working day: Christmas and the weekend are skipped.
berlin.addBusinessTime('2026-12-24T15:00:00Z', 'P1D') // → '2026-12-28T15:00:00.000Z'
// A reminder two working hours before Monday 10:00.
berlin.subtractBusinessTime('2026-11-30T09:00:00Z', 'PT2H') // → '2026-11-27T15:00:00.000Z'
berlin.isWorkingTime('2026-11-30T11:30:00Z') // → false
berlin.businessMillisBetween('2026-11-27T15:00:00Z', '2026-11-30T10:00:00Z') / 3600000 // → 3

const shanghai = createCalendar({
  id: 'shanghai',
  timeZone: 'Asia/Shanghai',
  workingHours: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] },
  holidays: ['2026-10-01', '2026-10-02'],
  workdays: ['2026-10-10'],
})
shanghai.isWorkingTime('2026-10-10T02:00:00Z') // → true

export {};
