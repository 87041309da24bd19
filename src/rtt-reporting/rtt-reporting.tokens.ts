/** Injection token for the loaded RttReportingSettings (config/rtt-reporting.yaml or defaults). */
export const RTT_REPORTING_SETTINGS = Symbol('RTT_REPORTING_SETTINGS');
