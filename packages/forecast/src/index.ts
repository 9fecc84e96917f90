// Data: stage metadata, CSV adapter
export type { StageInfo, FieldOptions, Period } from './data/options.js';
export { parseCsv } from './data/csv.js';
export { parsePipelineCsv, DEFAULT_PIPELINE_STAGES } from './data/pipeline-csv.js';
export { loadPipeline } from './data/storage.js';
export type { ParsePipelineCsvOptions, PipelineCsvColumns, PipelineData } from './data/pipeline-csv.js';

// Reports
export type { ReportInput } from './reports/input.js';
export { conversionRates, timeInStage, slaBreachRate } from './reports/stages.js';
export type { StageConversion, StageTime, StageSla } from './reports/stages.js';
export { salesCycle, winRates, repKpis, leaderboard } from './reports/outcomes.js';
export type { SalesCycle, WinRateRow, WinRateOptions, RepKpi, LeaderboardRow } from './reports/outcomes.js';
export { funnelAt, pipelineCoverage } from './reports/pipeline.js';
export { activityReport } from './reports/activity.js';
export type { ActivityReportOptions, ActivityReportRow } from './reports/activity.js';
export type { FunnelStage, PipelineCoverage } from './reports/pipeline.js';

// Forecasts
export { weightedPipeline, forecastCategories } from './forecast/weighted.js';
export type { WeightedPipeline, WeightedDeal, CategoryRollup, CategoryLevels } from './forecast/weighted.js';
export { fitStageMarkov } from './forecast/markov.js';
export type { StageMarkovOptions, StageMarkovModel } from './forecast/markov.js';
export { timeToClose } from './forecast/survival.js';
export type { TimeToClose } from './forecast/survival.js';
export { forecastBookings } from './forecast/bookings.js';
export type { ForecastBookingsOptions, BookingsForecast, DealForecast } from './forecast/bookings.js';
export { forecastFan } from './forecast/fan.js';
export { forecastCollections } from './forecast/payments.js';
export type { CollectionsOptions, CollectionsForecast, Installment, InstallmentForecast } from './forecast/payments.js';
export { backtest } from './forecast/backtest.js';
export type { Timeline, Stay } from './data/timeline.js';
export type { BacktestOptions, BacktestResult, BacktestRow, BacktestMethod, BacktestContext, BacktestForecast } from './forecast/backtest.js';

// Statistics
export { quantile, summarize } from './stats/quantile.js';
export type { Summary } from './stats/quantile.js';
export { kaplanMeier } from './stats/survival.js';
export type { SurvivalCurve } from './stats/survival.js';
export { createRng } from './stats/rng.js';
export type { Rng } from './stats/rng.js';
export { simulateBookings } from './stats/monte-carlo.js';
export type { SimulateBookingsInput, SimulateBookingsResult } from './stats/monte-carlo.js';
export { accuracy, brierScore } from './stats/metrics.js';
export type { Accuracy } from './stats/metrics.js';

// Rendering
export { renderFanChartSvg } from './render/fan-chart.js';
export type { FanPoint, FanChartOptions } from './render/fan-chart.js';

// Forecaster: indexed once, fits and calibrations cached; value and count; segments from shared trials
export { createForecaster } from './forecaster/forecaster.js';
export type { CreateForecasterOptions, Forecaster, Forecast, Band, SegmentForecast, DealContribution, BookedTotals, SegmentTotals } from './forecaster/forecaster.js';
export type { ComponentOptions, Metric } from './forecaster/components.js';
export type { CalibrationOptions, Calibration } from './forecaster/calibration.js';
export type { CloseModelOptions } from './forecaster/close-model.js';
export { AGE_BANDS } from './forecaster/close-model.js';
export type { SegmentSource, DealView, DealIndex } from './forecaster/deal-index.js';
export { quarterView, quotaAttainment, attainmentOf, explainForecast } from './forecaster/views.js';
export type { QuarterView, QuarterTotal, QuotaStatus, ForecastExplanation } from './forecaster/views.js';

// Quotas, stored as engine records
export { createQuotaBook, quotaBlueprint, QUOTA_TYPE } from './quotas/quota-book.js';
export type { Quota, QuotaBook, QuotaScope } from './quotas/quota-book.js';
export { periodRange, quarterOf } from './quotas/period.js';
export type { PeriodRange } from './quotas/period.js';

// Motivation: targets, contests, badges, leaderboards over KPIs from history
export { kpiEvents } from './motivation/kpi.js';
export type { KpiEvent } from './motivation/kpi.js';
export { achievements, validateRules } from './motivation/rules.js';
export type { Achievement, MotivationRule, MotivationRuleBase, MotivationPeriod, StreakRule, FirstRule, TotalRule, ContestRule } from './motivation/rules.js';
export { workDays, WEEKDAYS_UTC } from './motivation/work-days.js';
export { runningStreaks } from './motivation/running-streaks.js';
export type { RunningStreakOptions } from './motivation/running-streaks.js';
export type { WorkDays } from './motivation/work-days.js';
export { createMotivation, badgeBlueprint, BADGE_TYPE } from './motivation/motivation.js';
export type { Badge, CreateMotivationOptions, Motivation, MotivationLeaderboardRow } from './motivation/motivation.js';

// Receivables (instalment records: ageing, DSO, plans for forecastCollections) and satisfaction (CSAT/NPS)
export { receivablesAgeing, daysSalesOutstanding, instalmentPlans } from './reports/receivables.js';
export type { ReceivablesOptions, ReceivablesAgeing, AgeingBucket, ReceivableRow, DaysSalesOutstanding, InstalmentFieldNames } from './reports/receivables.js';
export { satisfaction } from './reports/satisfaction.js';
export type { Satisfaction, SatisfactionOptions } from './reports/satisfaction.js';
