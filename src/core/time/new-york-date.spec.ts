import { newYorkDate } from './new-york-date.js';

describe('newYorkDate', () => {
  it.each([
    ['2024-06-04T01:00:00Z', '2024-06-03'], // EDT: 21:00 the day before
    ['2024-06-04T03:59:59Z', '2024-06-03'],
    ['2024-06-04T04:00:00Z', '2024-06-04'], // New York midnight in summer
    ['2024-01-10T04:59:59Z', '2024-01-09'], // EST: 23:59:59 the day before
    ['2024-01-10T05:00:00Z', '2024-01-10'], // New York midnight in winter
    ['2024-03-10T06:59:00Z', '2024-03-10'], // the spring-forward day (02:00 EST becomes 03:00 EDT)
    ['2024-11-03T04:30:00Z', '2024-11-03'], // the fall-back day, before the change (00:30 EDT)
    ['2025-01-01T04:59:59Z', '2024-12-31'], // the year turns later in New York
  ])('%s is %s in New York', (instant, date) => {
    expect(newYorkDate(Date.parse(instant))).toBe(date);
  });
});
