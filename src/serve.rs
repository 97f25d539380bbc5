//! `dateline serve`: the search page and a JSON API over HTTP, on axum and tokio.
//!
//! One [`Store`] serves every request; its reader follows the index's commits, so a
//! `dateline index` run is picked up without a restart. Each search runs on tokio's blocking
//! pool under a time limit: one that takes too long is answered 503, never left hanging.
//! Every answer of the API is JSON; a mistake in the parameters is a 400 with
//! `{"error": "…"}` naming the parameter.

use crate::index::store::{self, Store};
use crate::kwic::{self, KwicSort};
use crate::search::dates::{ArgNames, QueryError};
use crate::search::facets::Facet;
use crate::search::plan::{self, DateRange};
use crate::search::snippet::Highlighter;
use crate::search::{self, Request, SearchError};
use crate::selection::Selection;
use crate::timeline;
use crate::{corpus, keywords, similar, stats};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::ValueEnum;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The search page: one self-contained file, no outside assets.
const PAGE: &str = include_str!("web/index.html");

/// At most this many hits per request.
pub const MAX_LIMIT: usize = 100;
/// At most this many hits skipped (deeper pages are not for reading).
pub const MAX_OFFSET: usize = 10_000;
/// At most this many snippets per hit.
pub const MAX_SNIPPETS: usize = 10;
/// At most this many queries in one timeline.
pub const MAX_TIMELINE_QUERIES: usize = 8;
/// A request taking longer is answered 503.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// `host:port` to listen on (port 0: any free port).
    pub addr: String,
    /// The time limit of one request.
    pub timeout: Duration,
}

struct App {
    store: Store,
    timeout: Duration,
    /// Searches running at once: a search past the time limit keeps its thread (tantivy cannot
    /// interrupt it) and its slot until it ends, so a flood of slow queries is answered 503
    /// instead of piling up threads.
    slots: Arc<tokio::sync::Semaphore>,
}

impl App {
    fn new(store: Store, timeout: Duration) -> App {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        App {
            store,
            timeout,
            slots: Arc::new(tokio::sync::Semaphore::new(searches_at_once(cores))),
        }
    }
}

/// At most this many searches run at once on `cores` cores: enough to keep the cores busy
/// while some wait on the disk, few enough that waiting requests queue rather than thrash.
fn searches_at_once(cores: usize) -> usize {
    (cores * 4).max(4)
}

type Shared = Arc<App>;

/// Serves until Ctrl-C or SIGTERM. The first line on stdout is `listening on http://ADDR/`.
pub fn run(index: &Path, opts: &Options) -> anyhow::Result<()> {
    let store = store::open(index)?;
    store.follow_commits()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(store, opts))
}

async fn serve(store: Store, opts: &Options) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&opts.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.addr))?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        eprintln!(
            "warning: listening on {local}, reachable from other machines; the API has no \
             authentication"
        );
    }
    // The signal handlers are in place before anyone is told where to connect, so a Ctrl-C
    // right after the first line still stops the server cleanly.
    let stop = shutdown()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{local}/")?;
        out.flush()?;
    }
    let app = router(Arc::new(App::new(store, opts.timeout)));
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await?;
    eprintln!("stopped");
    Ok(())
}

/// A future that resolves on Ctrl-C (SIGINT) or SIGTERM; the handlers are installed at once.
#[cfg(unix)]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// A future that resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/search", get(api_search))
        .route("/api/article", get(api_article))
        .route("/api/stats", get(api_stats))
        .route("/api/timeline", get(api_timeline))
        .route("/api/kwic", get(api_kwic))
        .route("/api/keywords", get(api_keywords))
        .route("/api/similar", get(api_similar))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page".into()) })
        .with_state(app)
}

async fn page() -> Response {
    let mut r = Html(PAGE).into_response();
    // The page needs nothing from elsewhere; the browser is told to load nothing from elsewhere.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'",
        ),
    );
    r
}

/// A JSON error answer.
fn error(status: StatusCode, message: String) -> Response {
    #[derive(Serialize)]
    struct Error {
        error: String,
    }
    (status, axum::Json(Error { error: message })).into_response()
}

/// What a handler can fail with.
enum ApiError {
    /// The request's parameters: 400.
    Bad(String),
    /// Not in the index: 404.
    Missing(String),
    /// Over the time limit: 503.
    Timeout(Duration),
    /// The index failed: 500.
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Bad(m) => error(StatusCode::BAD_REQUEST, m),
            ApiError::Missing(m) => error(StatusCode::NOT_FOUND, m),
            ApiError::Timeout(d) => error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the request took longer than {} ms and was cut off",
                    d.as_millis()
                ),
            ),
            ApiError::Internal(m) => error(StatusCode::INTERNAL_SERVER_ERROR, m),
        }
    }
}

/// The API's names for the query parameters a [`QueryError`] can be about.
const PARAM_NAMES: ArgNames = ArgNames {
    from: "from",
    to: "to",
    folder: "in",
    by: "by",
    join: "=",
};

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(q) => q.into(),
            SearchError::Index(e) => ApiError::Internal(format!("{e:#}")),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::Bad(e.describe(&PARAM_NAMES))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(format!("{e:#}"))
    }
}

/// Runs `work` on the blocking pool within the time limit.
async fn blocking<T: Send + 'static>(
    app: &Shared,
    work: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let limit = app.timeout;
    if limit.is_zero() {
        return Err(ApiError::Timeout(limit));
    }
    let slots = app.slots.clone();
    let dir = app.store.dir.clone();
    let app = app.clone();
    // Waiting for a slot counts towards the limit.
    let in_slot = async move {
        let slot = slots
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let work_dir = dir.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            match work(&app) {
                Err(ApiError::Internal(m)) => Err(ApiError::Internal(diagnosed(&work_dir, m))),
                result => result,
            }
        })
        .await;
        match done {
            Ok(result) => result,
            Err(join) => {
                let m = format!("the request failed: {join}");
                let named = tokio::task::spawn_blocking(move || diagnosed(&dir, m));
                Err(ApiError::Internal(
                    named.await.unwrap_or_else(|e| e.to_string()),
                ))
            }
        }
    };
    match tokio::time::timeout(limit, in_slot).await {
        Ok(result) => result,
        // The search goes on in its thread (it cannot be interrupted), holding its slot, and
        // its answer is dropped.
        Err(_) => Err(ApiError::Timeout(limit)),
    }
}

/// A failure of the index's files named by the damage that caused it, if any (else `m`): the
/// files are read on a blocking thread, and a look at garbled files that fails in tantivy
/// leaves the message as it was rather than the connection unanswered.
fn diagnosed(dir: &std::path::Path, m: String) -> String {
    match std::panic::catch_unwind(|| crate::index::damage::diagnose(dir)) {
        Ok(Some(d)) => d.to_string(),
        _ => m,
    }
}

/// The query string's parameters, in order (a key may repeat: `q` of a timeline).
type Params = Vec<(String, String)>;

fn one<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A number parameter within `max`, or its default.
fn number(
    params: &Params,
    key: &str,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match one(params, key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(n) => Err(ApiError::Bad(format!(
                "{key}={n} is out of range: {min} to {max}"
            ))),
            Err(_) => Err(ApiError::Bad(format!("{key}={v:?} is not a whole number"))),
        },
    }
}

/// A parameter that takes one of a library enum's values, spelt as the command line spells
/// them (`sort=newest`, `by=year`), or `None` when absent.
fn choice<T: ValueEnum>(params: &Params, key: &str) -> Result<Option<T>, ApiError> {
    let Some(v) = one(params, key) else {
        return Ok(None);
    };
    T::from_str(v, false).map(Some).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        let expected = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        ApiError::Bad(format!("{key}={v:?}: expected {expected}"))
    })
}

/// A yes-or-no parameter (`share=1`): `1`/`true` or `0`/`false`; absent, no.
fn flag(params: &Params, key: &str) -> Result<bool, ApiError> {
    match one(params, key) {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true") => Ok(true),
        Some(v) => Err(ApiError::Bad(format!("{key}={v:?}: expected 1 or 0"))),
    }
}

fn range(params: &Params) -> Result<DateRange, ApiError> {
    Ok(DateRange::parse(one(params, "from"), one(params, "to"))?)
}

/// A path the API is given, as a key: a relative one lies below the folder holding the index,
/// wherever the server was started (as the paths it answers with do).
fn key_of(app: &App, path: &str) -> String {
    corpus::key_as_named(&app.store.home().join(path))
}

/// `in=`, `author=` and `source=` (both repeatable): the articles asked about. A blank name
/// is refused.
fn scope(app: &App, params: &Params) -> Result<plan::Scope, ApiError> {
    let all = |key: &str| -> Result<Vec<String>, ApiError> {
        params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| {
                if v.trim().is_empty() {
                    Err(ApiError::Bad(format!("{key}=: a name is needed")))
                } else {
                    Ok(v.clone())
                }
            })
            .collect()
    };
    Ok(plan::Scope {
        folder: one(params, "in").map(|f| plan::folder_prefix(&app.store.home().join(f))),
        authors: all("author")?,
        sources: all("source")?,
    })
}

/// `facet=author`, `facet=source` (repeatable).
fn facets(params: &Params) -> Result<Vec<Facet>, ApiError> {
    params
        .iter()
        .filter(|(k, _)| k == "facet")
        .map(|(_, v)| {
            Facet::from_str(v, false)
                .map_err(|_| ApiError::Bad(format!("facet={v:?}: expected author or source")))
        })
        .collect()
}

/// The most values a facet, or a split timeline, gives.
const MAX_FACET_LIMIT: usize = 1000;

async fn api_search(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let request = || -> Result<Request, ApiError> {
        Ok(Request {
            text: one(&params, "q").unwrap_or("").to_string(),
            range: range(&params)?,
            sort: choice(&params, "sort")?.unwrap_or_default(),
            limit: number(&params, "limit", 10, 0, MAX_LIMIT)?,
            offset: number(&params, "offset", 0, 0, MAX_OFFSET)?,
            snippets: number(&params, "snippets", 1, 1, MAX_SNIPPETS)?,
            scope: scope(&app, &params)?,
            facets: facets(&params)?,
            facet_limit: number(
                &params,
                "facet_limit",
                search::FACET_LIMIT,
                1,
                MAX_FACET_LIMIT,
            )?,
            ..Request::default()
        })
    };
    let req = match request() {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    respond(
        blocking(&app, move |app| {
            let mut results = search::run(&app.store, &req)?;
            // Paths relative to the folder holding the index, wherever the server started.
            let home = app.store.home();
            results.show_paths(|key| corpus::display_key_from(home, key));
            Ok(results)
        })
        .await,
    )
}

/// A stored article, and the paragraphs a query matches with their highlight ranges.
#[derive(Serialize)]
struct Article {
    path: String,
    date: String,
    title: Option<String>,
    authors: Vec<String>,
    source: Option<String>,
    url: Option<String>,
    paragraphs: Vec<String>,
    matches: Vec<Match>,
}

#[derive(Serialize)]
struct Match {
    paragraph: usize,
    highlights: Vec<[usize; 2]>,
}

async fn api_article(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let Some(path) = one(&params, "path").map(str::to_string) else {
        return ApiError::Bad("path is required".into()).into_response();
    };
    let q = one(&params, "q").unwrap_or("").to_string();
    respond(
        blocking(&app, move |app| {
            // Looked up in the index only: a path that is not indexed is 404, whatever is on
            // disk there.
            let key = key_of(app, &path);
            let Some(stored) = search::article(&app.store, &key)? else {
                return Err(ApiError::Missing(format!("{path} is not in the index")));
            };
            let mut matches = Vec::new();
            if !q.trim().is_empty() {
                let f = app.store.fields;
                let mut parsed = plan::parse(&app.store, &q, &DateRange::default())?;
                if parsed.text.is_some() {
                    let reader = app.store.reader()?;
                    let searcher = reader.searcher();
                    parsed
                        .weigh(&searcher, f.body)
                        .map_err(|e| ApiError::Internal(e.to_string()))?;
                    let mut h = Highlighter::new(&searcher, &parsed, f.body, 200)
                        .map_err(|e| ApiError::Internal(e.to_string()))?;
                    for (i, p) in stored.paragraphs.iter().enumerate() {
                        let highlights = h.ranges(p);
                        if !highlights.is_empty() {
                            matches.push(Match {
                                paragraph: i + 1,
                                highlights,
                            });
                        }
                    }
                }
            }
            Ok(Article {
                path: corpus::display_key_from(app.store.home(), &stored.path),
                date: stored.date,
                title: stored.title,
                authors: stored.authors,
                source: stored.source,
                url: stored.url,
                paragraphs: stored.paragraphs,
                matches,
            })
        })
        .await,
    )
}

async fn api_stats(State(app): State<Shared>) -> Response {
    respond(
        blocking(&app, |app| {
            let mut s = stats::collect(&app.store)?;
            let home = app.store.home();
            s.show_names(|key| corpus::display_key_from(home, key));
            Ok(s)
        })
        .await,
    )
}

async fn api_timeline(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let request = || -> Result<timeline::Request, ApiError> {
        let queries: Vec<String> = params
            .iter()
            .filter(|(k, _)| k == "q")
            .map(|(_, v)| v.clone())
            .collect();
        if queries.is_empty() {
            return Err(ApiError::Bad("q is required (one per query)".into()));
        }
        if queries.len() > MAX_TIMELINE_QUERIES {
            return Err(ApiError::Bad(format!(
                "{} queries; the limit is {MAX_TIMELINE_QUERIES}",
                queries.len()
            )));
        }
        let by = choice(&params, "by")?;
        let split = match choice::<Facet>(&params, "split")? {
            Some(facet) => Some((
                facet,
                number(
                    &params,
                    "split_limit",
                    timeline::SPLIT_LIMIT,
                    1,
                    MAX_FACET_LIMIT,
                )?,
            )),
            None => None,
        };
        Ok(timeline::Request {
            queries,
            by,
            range: range(&params)?,
            scope: scope(&app, &params)?,
            split,
            smooth: number(&params, "smooth", 0, 0, MAX_SMOOTH)?,
            share: flag(&params, "share")?,
        })
    };
    let req = match request() {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    respond(blocking(&app, move |app| Ok(timeline::run(&app.store, &req)?)).await)
}

/// At most this many buckets on either side in a timeline's smoothing (as `--smooth`).
pub const MAX_SMOOTH: usize = 100;
/// At most this many lines of a KWIC, or words of a keywords list, per request.
pub const MAX_LINES: usize = 1000;
/// At most this many words either side of a KWIC line (as `--width`).
pub const MAX_WIDTH: usize = 100;

/// The selection `q`, `from`, `to`, `in`, `author`, `source` name.
fn selection(app: &App, params: &Params) -> Result<Selection, ApiError> {
    Ok(Selection {
        query: one(params, "q").unwrap_or("").to_string(),
        range: range(params)?,
        scope: scope(app, params)?,
    })
}

/// `/api/kwic`: what `dateline kwic --json` answers (`q` required; `width`, `sort`, `limit`,
/// `offset` as its flags).
async fn api_kwic(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let request = || -> Result<kwic::Request, ApiError> {
        let selection = selection(&app, &params)?;
        if selection.query.trim().is_empty() {
            return Err(ApiError::Bad(
                "q is required: the words or \"phrases\" to show in context".into(),
            ));
        }
        Ok(kwic::Request {
            selection,
            width: number(&params, "width", 8, 0, MAX_WIDTH)?,
            sort: choice::<KwicSort>(&params, "sort")?.unwrap_or_default(),
            limit: number(&params, "limit", 40, 0, MAX_LINES)?,
            offset: number(&params, "offset", 0, 0, MAX_OFFSET)?,
        })
    };
    let req = match request() {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    respond(
        blocking(&app, move |app| {
            let mut k = kwic::run(&app.store, &req)?;
            let home = app.store.home();
            k.show_paths(|key| corpus::display_key_from(home, key));
            Ok(k)
        })
        .await,
    )
}

/// The API's names for the reference's parameters of `/api/keywords`.
const VS_PARAM_NAMES: ArgNames = ArgNames {
    from: "vs_from",
    to: "vs_to",
    folder: "vs_in",
    by: "by",
    join: "=",
};

/// `/api/keywords`: what `dateline keywords --json` answers. The selection is `q`, `from`,
/// `to`, `in`, `author`, `source`; the reference `vs_q`, `vs_from`, `vs_to`, `vs_in` (else the
/// rest of the archive); `min`, `limit` and `negative=1` as the flags.
async fn api_keywords(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let request = || -> Result<(keywords::Request, Option<String>), ApiError> {
        let selection = selection(&app, &params)?;
        let (vs_q, vs_from, vs_to, vs_in) = (
            one(&params, "vs_q"),
            one(&params, "vs_from"),
            one(&params, "vs_to"),
            one(&params, "vs_in"),
        );
        let reference = if [vs_q, vs_from, vs_to, vs_in].iter().all(Option::is_none) {
            None
        } else {
            let range = DateRange::parse(vs_from, vs_to)
                .map_err(|e| ApiError::Bad(e.describe(&VS_PARAM_NAMES)))?;
            Some(Selection {
                query: vs_q.unwrap_or("").to_string(),
                range,
                scope: plan::Scope::folder(
                    vs_in.map(|f| plan::folder_prefix(&app.store.home().join(f))),
                ),
            })
        };
        if !selection.restricts() && reference.is_none() {
            return Err(ApiError::Bad(
                "nothing selected: give q, from, to, in, author or source (and vs_q, vs_from, \
                 vs_to or vs_in for what to compare with, else the rest of the archive)"
                    .into(),
            ));
        }
        Ok((
            keywords::Request {
                selection,
                reference,
                min_freq: number(&params, "min", 5, 0, usize::MAX)? as u64,
                limit: number(&params, "limit", 30, 0, MAX_LINES)?,
                negative: flag(&params, "negative")?,
            },
            vs_in.map(str::to_string),
        ))
    };
    let (req, vs_in) = match request() {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    respond(
        blocking(&app, move |app| {
            if let (Some(r), Some(given)) = (&req.reference, vs_in) {
                let prefix = r.scope.folder.as_deref().unwrap_or_default();
                let searcher = app.store.reader()?.searcher();
                if !store::holds_prefix(&searcher, prefix)? {
                    return Err(ApiError::Bad(
                        QueryError::EmptyFolder(given).describe(&VS_PARAM_NAMES),
                    ));
                }
            }
            Ok(keywords::run(&app.store, &req)?)
        })
        .await,
    )
}

/// `/api/similar`: what `dateline similar PATH --json` answers for an article stored in the
/// index (`path` required; `n` as `-n`; `from`, `to`, `in`, `author`, `source` as the flags).
/// Only the index is read: a path that is not indexed is 404, whatever is on disk there.
async fn api_similar(State(app): State<Shared>, Query(params): Query<Params>) -> Response {
    let request = || -> Result<(similar::Request, String), ApiError> {
        let Some(path) = one(&params, "path") else {
            return Err(ApiError::Bad(
                "path is required: the indexed article to find others like".into(),
            ));
        };
        Ok((
            similar::Request {
                // The key, made where the index is read (below).
                path: std::path::PathBuf::new(),
                limit: number(&params, "n", 10, 0, MAX_LIMIT)?,
                range: range(&params)?,
                scope: scope(&app, &params)?,
                snippet_chars: Request::default().snippet_chars,
            },
            path.to_string(),
        ))
    };
    let (req, given) = match request() {
        Ok(r) => r,
        Err(f) => return f.into_response(),
    };
    respond(
        blocking(&app, move |app| {
            let req = similar::Request {
                path: key_of(app, &given).into(),
                ..req
            };
            let Some(mut s) = similar::run_indexed(&app.store, &req)? else {
                return Err(ApiError::Missing(format!("{given} is not in the index")));
            };
            let home = app.store.home();
            s.show_paths(|key| corpus::display_key_from(home, key));
            Ok(s)
        })
        .await,
    )
}

fn respond<T: Serialize>(result: Result<T, ApiError>) -> Response {
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(f) => f.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(f: ApiError) -> String {
        match f {
            ApiError::Bad(m) => m,
            _ => panic!("not a 400"),
        }
    }

    /// The API names its own parameters (`from=`, `by=`, `in=`), never the command line's flags.
    #[test]
    fn errors_name_the_api_parameters() {
        let params = |p: &[(&str, &str)]| -> Params {
            p.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let m = bad(range(&params(&[("from", "2017"), ("to", "2016")])).unwrap_err());
        assert_eq!(m, "from=2017-01-01 is after to=2016-12-31");
        let m = bad(range(&params(&[("from", "2016-13")])).unwrap_err());
        assert_eq!(m, "impossible date for from: 2016-13 (not on the calendar)");
        let m = bad(range(&params(&[("to", "x")])).unwrap_err());
        assert!(m.starts_with("invalid date for to: \"x\""), "{m}");
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let e = crate::timeline::buckets(crate::timeline::By::Day, d(1700, 1, 1), d(2200, 1, 1))
            .unwrap_err();
        let m = bad(e.into());
        assert!(
            m.starts_with("by=day from 1700-01-01 to 2200-01-01 gives "),
            "{m}"
        );
        assert!(
            m.ends_with("choose a larger by or a shorter from/to"),
            "{m}"
        );
        assert!(!m.contains("--"), "{m}");
        let m =
            bad(choice::<crate::search::Sort>(&params(&[("sort", "random")]), "sort").unwrap_err());
        assert_eq!(m, "sort=\"random\": expected relevance, newest or oldest");
        let m = bad(choice::<crate::timeline::By>(&params(&[("by", "week")]), "by").unwrap_err());
        assert_eq!(m, "by=\"week\": expected decade, year, month or day");
        let by = choice::<crate::timeline::By>(&params(&[("by", "month")]), "by");
        assert!(matches!(by, Ok(Some(crate::timeline::By::Month))));
        let sort = choice::<crate::search::Sort>(&params(&[]), "sort");
        assert!(matches!(sort, Ok(None)));
        let m = bad(SearchError::Query(QueryError::EmptyFolder("nowhere".into())).into());
        assert_eq!(m, "in=nowhere: no indexed article lies under this folder");
    }

    /// The time limit cuts off work that runs over it, and lets work within it answer.
    #[test]
    fn work_over_the_limit_is_cut_off() {
        let (_dir, store) = crate::index::writer::index_files([(
            "a.txt".to_string(),
            " date 2001-01-01 One article.".to_string(),
        )]);
        let mut app = App::new(store, Duration::from_millis(100));
        // One slot: the second request waits behind the slow one and is cut off too.
        app.slots = Arc::new(tokio::sync::Semaphore::new(1));
        let app = Arc::new(app);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let slow = rt.block_on(blocking(&app, |_| {
            std::thread::sleep(Duration::from_millis(2_000));
            Ok(1)
        }));
        assert!(matches!(slow, Err(ApiError::Timeout(_))));
        assert!(started.elapsed() < Duration::from_millis(1_500));
        // The slow work still holds the only slot: quick work waits for it, past the limit.
        let stats = |app: &App| Ok(crate::stats::collect(&app.store)?.articles);
        let waiting = rt.block_on(blocking(&app, stats));
        assert!(matches!(waiting, Err(ApiError::Timeout(_))));
        // Once the slow work ends, its slot is free again.
        std::thread::sleep(Duration::from_millis(2_000));
        let quick = rt.block_on(blocking(&app, stats));
        assert!(matches!(quick, Ok(1)));
        assert_eq!(searches_at_once(2), 8);
        // The runtime waits for the sleeping thread when dropped; let it go instead.
        rt.shutdown_background();
    }
}
