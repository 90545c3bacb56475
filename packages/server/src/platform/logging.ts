import pino, { type Logger } from 'pino';

/**
 * JSON logs with OpenTelemetry semantic-convention field names where one exists
 * (http.request.method, url.path, http.response.status_code, …). Secrets never reach a log line:
 * the redaction list is a safety net, not the plan.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { 'service.name': 'openvelope' },
      messageKey: 'body',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ severity_text: label.toUpperCase() }) },
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type { Logger };
