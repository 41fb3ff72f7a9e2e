// Notification data and the built-in templates (upstream common_templates.go).
import type { ContainerReport, SessionReport } from '../session/types.ts'
import { compileTemplate, goStruct, shortId, type Template, type TemplateError } from '../template/index.ts'

/** A log entry captured for notifications (upstream: a logrus entry). */
export interface LogEntry {
  level: string
  message: string
  time: Date
  data: Record<string, unknown>
}

export interface NotificationData {
  title: string
  host: string
  entries: LogEntry[]
  /** Present in report mode (--notification-report). */
  report?: SessionReport
}

/**
 * Upstream's templates; one change to `default`: monitor-only sessions (Stale containers) are
 * reported too, where upstream sent nothing (nicholas-fedor/watchtower#707).
 */
export const BUILTIN_TEMPLATES: Record<string, string> = {
  'default-legacy': '{{range .}}{{.Message}}{{println}}{{end}}',
  default: `
{{- if .Report -}}
  {{- with .Report -}}
    {{- if ( or .Updated .Failed .Stale ) -}}
{{len .Scanned}} Scanned, {{len .Updated}} Updated, {{len .Failed}} Failed
      {{- range .Updated}}
- {{with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.CurrentImageID.ShortID}} updated to {{.LatestImageID.ShortID}}
        {{- if .ToTag}}, tag {{.FromTag}} → {{.ToTag}}{{end}}
      {{- end -}}
      {{- range .Stale}}
- {{with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.State}},
        {{- if .ToTag}} tag {{.FromTag}} → {{.ToTag}} available{{else}} {{.LatestImageID.ShortID}} available{{end}}
      {{- end -}}
      {{- range .Fresh}}
- {{with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.State}}
        {{- with .Waiting}}, waiting: {{.}}{{end}}
      {{- end -}}
      {{- range .Skipped}}
- {{with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.State}}: {{.Error}}
      {{- end -}}
      {{- range .Failed}}
- {{with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.State}}: {{.Error}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- else -}}
  {{range .Entries -}}{{.Message}}{{"\\n"}}{{- end -}}
{{- end -}}`,
  'porcelain.v1.summary-no-log': `
{{- if .Report -}}
  {{- range .Report.All }}
    {{- with .Host}}{{.}}: {{end}}{{.Name}} ({{.ImageName}}): {{.State -}}
    {{- if .ToTag}} {{.FromTag}} → {{.ToTag}}{{end -}}
    {{- with .Error}} Error: {{.}}{{end}}{{ println }}
  {{- else -}}
    no containers matched filter
  {{- end -}}
{{- end -}}`,
  'json.v1': '{{ . | ToJSON }}',
}

// The views are Go structs for the template engine (upstream's types): a field that does not
// exist is an error, as in watchtower, not a silent "<no value>".
function statusView(c: ContainerReport) {
  return goStruct(
    {
      /** `container`, or `service` for a swarm service. */
      Kind: c.kind ?? 'container',
      // The engine (its --host value) with several engines; empty with one.
      Host: c.host ?? '',
      ID: c.id,
      Name: c.name.replace(/^\//, ''),
      ImageName: c.imageName,
      CurrentImageID: c.currentImageId,
      LatestImageID: c.latestImageId,
      State: c.state,
      Error: c.error ?? '',
      // Tag policies: the tag it ran and the tag it moved (or may move) to; empty otherwise.
      FromTag: c.tagChange?.from ?? '',
      ToTag: c.tagChange?.to ?? '',
      NewImageName: c.tagChange?.newImageName ?? '',
      // The cooldown delay's reason (age, delay, time left) when it holds the update back.
      Waiting: c.waiting?.reason ?? '',
    },
    '*session.ContainerStatus',
  )
}

function reportView(r: SessionReport) {
  return goStruct(
    {
      Scanned: r.scanned.map(statusView),
      Updated: r.updated.map(statusView),
      Failed: r.failed.map(statusView),
      Skipped: r.skipped.map(statusView),
      Stale: r.stale.map(statusView),
      Fresh: r.fresh.map(statusView),
      All: r.all.map(statusView),
    },
    '*session.Report',
  )
}

/** A logrus entry: its Data (logrus.Fields) is a map. */
function entryView(e: LogEntry) {
  return goStruct(
    { Message: e.message, Level: e.level, Time: e.time, Data: new Map(Object.entries(e.data)) },
    '*logrus.Entry',
  )
}

/** The value templates see as `.`: report mode gets {Title, Host, Entries, Report}; legacy mode the entry list. */
export function templateData(data: NotificationData, reportMode: boolean): unknown {
  const entries = data.entries.map(entryView)
  if (reportMode) {
    return goStruct(
      {
        Title: data.title,
        Host: data.host,
        Entries: entries,
        Report: data.report ? reportView(data.report) : undefined,
      },
      'notifications.Data',
    )
  }
  // Legacy: `.` is the entry list; .Title/.Host/.Entries/.Report still resolve (Report empty) so no template crashes.
  return Object.assign([...entries], {
    Title: data.title,
    Host: data.host,
    Entries: entries,
    Report: undefined,
  })
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v instanceof Date) return v.toISOString()
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    )
  }
  return v
}

function containerJson(c: ContainerReport) {
  return {
    id: shortId(c.id),
    ...(c.host ? { host: c.host } : {}),
    name: c.name.replace(/^\//, ''),
    currentImageId: shortId(c.currentImageId),
    latestImageId: shortId(c.latestImageId),
    imageName: c.imageName,
    state: c.state,
    ...(c.error ? { error: c.error } : {}),
    ...(c.tagChange ? { fromTag: c.tagChange.from, toTag: c.tagChange.to } : {}),
    ...(c.waiting ? { waitingMs: c.waiting.waitMs } : {}),
  }
}

/** json.v1 as upstream marshals it (Go maps: keys sorted; IDs short). */
export function jsonV1(data: NotificationData): string {
  const r = data.report
  return JSON.stringify(
    sortKeys({
      report: r
        ? {
            scanned: r.scanned.map(containerJson),
            updated: r.updated.map(containerJson),
            failed: r.failed.map(containerJson),
            skipped: r.skipped.map(containerJson),
            stale: r.stale.map(containerJson),
            fresh: r.fresh.map(containerJson),
          }
        : null,
      title: data.title,
      host: data.host,
      entries: data.entries.map((e) => ({ level: e.level, message: e.message, data: e.data, time: e.time })),
    }),
  )
}

export interface Renderer {
  render(data: NotificationData): string
  /** The template that was asked for but did not parse (the default is used instead). */
  readonly invalid?: TemplateError
}

/**
 * Picks the template: a built-in name, custom text, or (empty) `default` in
 * report mode and `default-legacy` otherwise. An invalid custom template is
 * reported and replaced by the default, as upstream.
 */
export function createRenderer(template: string, reportMode: boolean): Renderer {
  const name = template.trim() === '' ? (reportMode ? 'default' : 'default-legacy') : template
  if (name === 'json.v1') return { render: jsonV1 }
  const fallback = reportMode ? 'default' : 'default-legacy'
  let tpl: Template
  let invalid: TemplateError | undefined
  try {
    tpl = compileTemplate(BUILTIN_TEMPLATES[name] ?? name)
  } catch (err) {
    invalid = err as TemplateError
    tpl = compileTemplate(BUILTIN_TEMPLATES[fallback]!)
  }
  return {
    ...(invalid ? { invalid } : {}),
    render(data) {
      return tpl.execute(templateData(data, reportMode))
    },
  }
}
