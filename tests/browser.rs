//! End-to-end tests of `dateline serve`'s search page: headless Chromium, driven through
//! chromedriver with fantoccini, types queries, pages, goes back and opens articles as a person
//! would, and the page's answers are compared with the JSON API's.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`, `/usr/bin/chromedriver`).
//! Without them the browser test says so and passes, except under `CI=true`, where it fails.
//! Screenshots go to `target/browser/` (`results.png`: the results; `timeline.png`: the chart;
//! `kwic.png`: the concordance; `keywords-phone.png`: the keywords at 375 px; `similar.png`:
//! the articles like a hit; `search.png`: an open article; `phone.png`: results at 375 px).

#![cfg(unix)]

mod common;

use common::TestDir;
use common::server::{Guard, Server, enc};
use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long the page may take to show what is expected.
const PATIENCE: Duration = Duration::from_secs(20);

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// 30 dispatches, 1995 to 2024, each with "convoy" in its first paragraph right after non-ASCII
/// text, in its third paragraph in even ones, never in its second; and one hostile article.
fn corpus(t: &TestDir) {
    for i in 0..30u32 {
        let year = 1995 + i;
        let (month, day) = (1 + i % 12, 1 + (i * 7) % 28);
        let third = if i.is_multiple_of(2) {
            "Later the convoys passed the café on Rue Léon, where naïve hopes rose again…"
        } else {
            "Later the trucks passed the café on Rue Léon, and the square was quiet again…"
        };
        t.write(
            &format!("corpus/{year}-dispatch-{i:02}.txt"),
            format!(
                " date {year}-{month:02}-{day:02} Dispatch {i} from Zürich — the relief convoy \
                 reached the valley at dawn with {} tonnes of grain.\n\n\
                 Weather notes for week {i}: rain in the hills, sun on the coast, wind from the \
                 west.\n\n{third}\n",
                10 + i
            ),
        );
    }
    t.write(
        "corpus/2024-hostile.txt",
        " date 2024-12-31 Hostile text: <img src=x onerror=\"window.xss=1\"> \
         <script>window.xss=2</script> &amp; xsstoken beside it.\n",
    );
    t.index_corpus();
}

/// The tool at `path`, when it is installed.
fn find_tool(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    p.is_file().then(|| p.to_path_buf())
}

/// Polls a JavaScript expression until it is truthy, and returns its value.
async fn until(c: &Client, expr: &str, what: &str) -> Value {
    let start = Instant::now();
    let script = format!("return ({expr});");
    loop {
        let v = c
            .execute(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("evaluating {expr}: {e}"));
        let truthy = match &v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return v;
        }
        if start.elapsed() > PATIENCE {
            let page = c
                .execute(
                    "return document.getElementById('summary').textContent + ' | error: ' + \
                     document.getElementById('error').textContent + ' | ' + location.href",
                    vec![],
                )
                .await
                .unwrap_or(Value::Null);
            panic!("timed out waiting for {what} ({expr}); the page shows {page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until #summary contains `text`, and returns it.
async fn summary_shows(c: &Client, text: &str) -> String {
    let expr = format!(
        "document.getElementById('summary').textContent.includes({}) && \
         document.getElementById('summary').textContent",
        json!(text)
    );
    until(c, &expr, &format!("#summary to show {text:?}"))
        .await
        .as_str()
        .unwrap()
        .to_string()
}

/// The hits shown: date, path, paragraph label, snippet text and the texts of its marks.
async fn shown_hits(c: &Client) -> Vec<Value> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('#results .hit')).map(h => ({\
               date: h.querySelector('.date').textContent,\
               path: h.querySelector('.path').textContent,\
               para: h.querySelector('.para').textContent,\
               snippet: h.querySelector('.snippet').textContent,\
               marks: Array.from(h.querySelectorAll('.snippet mark')).map(m => m.textContent)\
             }));",
            vec![],
        )
        .await
        .expect("reading the hits");
    v.as_array().expect("an array of hits").clone()
}

/// The texts the API's byte ranges mark in `text`.
fn marked(text: &str, ranges: &Value) -> Vec<String> {
    ranges
        .as_array()
        .expect("highlights")
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            text.get(s..e)
                .unwrap_or_else(|| {
                    panic!("range {s}..{e} is not on character boundaries of {text:?}")
                })
                .to_string()
        })
        .collect()
}

/// Checks the hits on the page against an API answer: same order, dates, paths, paragraphs,
/// snippet text intact, and the marks exactly the words the byte ranges name, all forms of
/// "convoy".
fn same_hits(shown: &[Value], api: &Value) {
    let hits = api["hits"].as_array().unwrap();
    assert_eq!(shown.len(), hits.len(), "hits shown vs API: {shown:?}");
    for (s, h) in shown.iter().zip(hits) {
        let snippet = h["snippet"].as_str().unwrap();
        assert_eq!(s["date"], h["date"]);
        assert_eq!(s["path"], h["path"]);
        assert_eq!(s["para"], format!("¶{}", h["paragraph"]));
        assert_eq!(s["snippet"], snippet, "snippet text changed on the page");
        let want = marked(snippet, &h["highlights"]);
        assert_eq!(s["marks"], json!(want), "marks of {snippet:?}");
        assert!(!want.is_empty(), "no mark in {snippet:?}");
        for m in &want {
            assert!(
                m.to_lowercase().starts_with("convoy"),
                "mark {m:?} is not a form of the query word in {snippet:?}"
            );
        }
        assert!(
            snippet.contains("Zürich") || snippet.contains("café"),
            "the snippet should hold the non-ASCII text near the match: {snippet:?}"
        );
    }
}

fn paths(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

/// Query-string parameters of the page's URL.
async fn url_params(c: &Client) -> Vec<(String, String)> {
    let url = c.current_url().await.expect("current URL");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Types into a field as a person would (clearing it first).
async fn type_into(c: &Client, id: &str, text: &str) {
    let el = c.find(Locator::Id(id)).await.expect(id);
    el.clear().await.expect("clearing a field");
    if !text.is_empty() {
        el.send_keys(text).await.expect("typing");
    }
}

/// The page is no wider than a 375 px phone screen.
async fn fits_phone(c: &Client, what: &str) {
    let widths = c
        .execute(
            "return [document.documentElement.scrollWidth, document.body.scrollWidth, \
             window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        widths[0].as_u64().unwrap() <= 375 && widths[1].as_u64().unwrap() <= 375,
        "{what} scroll sideways at 375 px: [scrollWidth, body's, viewport] = {widths}"
    );
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("browser");
    std::fs::create_dir_all(&dir).expect("creating target/browser");
    dir
}

#[test]
fn page_is_self_contained() {
    let t = TestDir::new();
    corpus(&t);
    let server = Server::start(&t, "127.0.0.1:0", &[]);
    let (status, head, body) = server.get("/");
    assert_eq!(status, 200, "GET /: {body}");
    assert!(
        head.contains("content-type: text/html"),
        "GET / is not HTML: {head}"
    );
    let page = body.to_ascii_lowercase();
    assert!(page.starts_with("<!doctype html>"), "{}", &body[..80]);
    for needle in ["http://", "https://"] {
        for (at, _) in page.match_indices(needle) {
            let host = &page[at + needle.len()..];
            assert!(
                host.starts_with("127.0.0.1") || host.starts_with("localhost"),
                "the page refers to another host: {}",
                &body[at..(at + 60).min(body.len())]
            );
        }
    }
    for needle in [
        "<script src",
        "<link",
        "@import",
        "src=\"//",
        "href=\"//",
        "<iframe",
    ] {
        assert!(!page.contains(needle), "the page holds {needle:?}");
    }
    // CSS url(…), but not a JavaScript name ending in "url(".
    for (at, _) in page.match_indices("url(") {
        let before = page[..at].chars().next_back().unwrap_or(' ');
        assert!(
            before.is_alphanumeric() || before == '_',
            "the page loads something with url(: {}",
            &body[at..(at + 40).min(body.len())]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn search_page_in_chromium() {
    let t = TestDir::new();
    corpus(&t);
    in_chromium(t, drive).await;
}

/// Serves the test folder's index and runs `steps` in headless Chromium against it; without
/// Chromium the test says so and passes (fails under `CI=true`).
async fn in_chromium<F, Fut>(t: TestDir, steps: F)
where
    F: FnOnce(Client, Server, TestDir) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (Some(chromium), Some(driver)) = (find_tool(CHROMIUM), find_tool(CHROMEDRIVER)) else {
        let msg = format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing (apt install chromium chromium-driver)"
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true: {msg}");
        }
        common::skipped(&msg);
        return;
    };

    let server = Server::start(&t, "127.0.0.1:0", &[]);

    let port = free_port();
    let driver_guard = Guard {
        name: "chromedriver",
        child: Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("starting chromedriver"),
    };
    let driver_addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let start = Instant::now();
    // Listening is ready: chromedriver opens its port once it can take sessions.
    while TcpStream::connect(driver_addr).is_err() {
        assert!(
            start.elapsed() < PATIENCE,
            "chromedriver did not answer on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let profile = tempfile::tempdir().expect("a browser profile folder");
    let caps = json!({"goog:chromeOptions": {
        "binary": chromium,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            format!("--user-data-dir={}", profile.path().display()), "--window-size=1280,1000",
        ],
    }});
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://{driver_addr}"))
        .await
        .expect("a chromedriver session");

    // The steps run in their own task so that, whatever they do, the session is closed after.
    let steps = tokio::spawn(steps(client.clone(), server, t));
    let outcome = steps.await;
    let _ = client.close().await;
    drop(driver_guard);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn drive(c: Client, server: Server, t: TestDir) {
    let base = server.url.clone();
    c.goto(&base).await.expect("opening the page");

    // The header line gives the index's size and span.
    let stats = server.json("/api/stats", 200);
    let line = until(
        &c,
        "document.getElementById('stats').textContent",
        "the stats line",
    )
    .await;
    let line = line.as_str().unwrap();
    assert!(
        line.contains(&stats["articles"].to_string())
            && line.contains(stats["first_date"].as_str().unwrap())
            && line.contains(stats["last_date"].as_str().unwrap()),
        "stats line {line:?} vs {stats}"
    );

    // A query typed and sent with Enter.
    type_into(&c, "q", "convoy").await;
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let all = server.json("/api/search?q=convoy&limit=10", 200);
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total, 30, "the corpus has 30 matching articles");
    let text = summary_shows(&c, "showing 1-10 of 30").await;
    assert!(text.contains("30 matching articles"), "{text}");
    assert!(text.contains(" ms"), "the time taken: {text}");
    let page1 = shown_hits(&c).await;
    same_hits(&page1, &all);

    // A date range, typed, sent with the button: fewer hits, all inside it.
    type_into(&c, "from", "2000").await;
    type_into(&c, "to", "2014-12").await;
    c.find(Locator::Id("search"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let ranged = server.json("/api/search?q=convoy&from=2000&to=2014-12&limit=10", 200);
    assert_eq!(ranged["total"], 15);
    summary_shows(&c, "showing 1-10 of 15").await;
    let ranged1 = shown_hits(&c).await;
    same_hits(&ranged1, &ranged);
    for h in &ranged1 {
        let d = h["date"].as_str().unwrap();
        assert!(
            ("2000".."2015").contains(&d),
            "{d} is outside 2000 to 2014-12"
        );
    }

    // The next page.
    assert_eq!(
        c.execute("return document.getElementById('prev').disabled", vec![])
            .await
            .unwrap(),
        json!(true),
        "#prev on page 1"
    );
    c.find(Locator::Id("next"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "showing 11-15 of 15").await;
    let ranged2 = shown_hits(&c).await;
    same_hits(
        &ranged2,
        &server.json(
            "/api/search?q=convoy&from=2000&to=2014-12&limit=10&offset=10",
            200,
        ),
    );
    assert!(
        paths(&ranged2).iter().all(|p| !paths(&ranged1).contains(p)),
        "page 2 repeats page 1"
    );
    let params = url_params(&c).await;
    assert_eq!(param(&params, "q"), Some("convoy"), "{params:?}");
    assert_eq!(param(&params, "from"), Some("2000"), "{params:?}");
    assert_eq!(param(&params, "to"), Some("2014-12"), "{params:?}");
    assert_eq!(param(&params, "page"), Some("2"), "{params:?}");
    assert_eq!(
        c.execute("return document.getElementById('next').disabled", vec![])
            .await
            .unwrap(),
        json!(true),
        "#next on the last page"
    );

    // The browser's back button: page 1 again, form and all.
    c.back().await.unwrap();
    summary_shows(&c, "showing 1-10 of 15").await;
    assert_eq!(paths(&shown_hits(&c).await), paths(&ranged1));
    assert_eq!(param(&url_params(&c).await, "page"), None);
    let from = c
        .find(Locator::Id("from"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(from.as_deref(), Some("2000"));

    // A click on a hit opens its article: every paragraph, the matching ones marked.
    let first = ranged1[0]["path"].as_str().unwrap().to_string();
    c.find(Locator::Css("#results .hit .snippet"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "!document.getElementById('article').hidden && \
         document.querySelectorAll('#article .paragraph').length",
        "the article view",
    )
    .await;
    let article = server.json(&format!("/api/article?path={}&q=convoy", enc(&first)), 200);
    let view = c
        .execute(
            "return Array.from(document.querySelectorAll('#article .paragraph')).map(p => ({\
               text: p.querySelector('.text').textContent,\
               match: p.classList.contains('match'),\
               marks: Array.from(p.querySelectorAll('mark')).map(m => m.textContent)\
             }));",
            vec![],
        )
        .await
        .unwrap();
    let view = view.as_array().unwrap();
    let paragraphs = article["paragraphs"].as_array().unwrap();
    assert_eq!(view.len(), paragraphs.len(), "paragraphs shown: {view:?}");
    let matches = article["matches"].as_array().unwrap();
    assert!(!matches.is_empty(), "{article}");
    for (i, (p, text)) in view.iter().zip(paragraphs).enumerate() {
        assert_eq!(&p["text"], text, "paragraph {}", i + 1);
        let m = matches.iter().find(|m| m["paragraph"] == i + 1);
        assert_eq!(p["match"], m.is_some(), "paragraph {} marked", i + 1);
        let want = m.map_or(vec![], |m| marked(text.as_str().unwrap(), &m["highlights"]));
        assert_eq!(p["marks"], json!(want), "marks of paragraph {}", i + 1);
        assert!(want.iter().all(|w| w.to_lowercase().starts_with("convoy")));
    }
    assert!(
        view.iter().any(|p| p["match"] == false),
        "the second paragraph never matches"
    );
    let params = url_params(&c).await;
    assert_eq!(param(&params, "article"), Some(first.as_str()));
    assert_eq!(param(&params, "q"), Some("convoy"));
    let dir = screenshot_dir();
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(dir.join("search.png"), png).unwrap();

    // #back returns to the results as they were.
    c.find(Locator::Id("back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "showing 1-10 of 15").await;
    until(
        &c,
        "document.getElementById('article').hidden && \
         !document.getElementById('list').hidden",
        "the results again",
    )
    .await;
    assert_eq!(param(&url_params(&c).await, "article"), None);
    // The results as a person sees them (docs/serve.png in the README is this picture).
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(dir.join("results.png"), png).unwrap();

    // At phone width nothing scrolls sideways, in the results or in an article.
    c.set_window_size(375, 800).await.unwrap();
    until(&c, "window.innerWidth <= 375", "a 375 px viewport").await;
    fits_phone(&c, "the results").await;
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    std::fs::write(dir.join("phone.png"), c.screenshot().await.unwrap()).unwrap();

    // A shared URL runs its search; one with an article opens it, and #back leads to results.
    c.goto(&format!("{base}?q=convoy&page=2")).await.unwrap();
    summary_shows(&c, "showing 11-20 of 30").await;
    c.goto(&format!("{base}?q=convoy&article={}", enc(&first)))
        .await
        .unwrap();
    until(
        &c,
        "document.querySelectorAll('#article .paragraph.match mark').length",
        "an article opened from its URL",
    )
    .await;
    fits_phone(&c, "an article").await;
    c.find(Locator::Id("back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "showing 1-10 of 30").await;
    c.set_window_size(1280, 1000).await.unwrap();

    // Did you mean: a link that runs the suggestion.
    let typo = server.json("/api/search?q=konvoy&limit=10", 200);
    let suggestion = typo["suggestion"]
        .as_str()
        .unwrap_or_else(|| panic!("no suggestion for konvoy: {typo}"))
        .to_string();
    type_into(&c, "from", "").await;
    type_into(&c, "to", "").await;
    type_into(&c, "q", "konvoy").await;
    c.find(Locator::Id("search"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "!document.getElementById('suggestion').hidden && \
         document.querySelector('#suggestion a')",
        "the suggestion",
    )
    .await;
    let link = c.find(Locator::Css("#suggestion a")).await.unwrap();
    assert_eq!(link.text().await.unwrap(), suggestion);
    link.click().await.unwrap();
    let fixed = server.json(&format!("/api/search?q={}&limit=10", enc(&suggestion)), 200);
    summary_shows(&c, &format!("of {}", fixed["total"])).await;
    assert_eq!(param(&url_params(&c).await, "q"), Some(suggestion.as_str()));

    // The server's error message is shown: from after to.
    type_into(&c, "from", "2020").await;
    type_into(&c, "to", "2010").await;
    c.find(Locator::Id("search"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let (status, _, body) = server.get("/api/search?q=convoy&from=2020&to=2010");
    assert_eq!(status, 400, "{body}");
    let message: Value = serde_json::from_str(&body).unwrap();
    let message = message["error"].as_str().unwrap();
    let shown = until(
        &c,
        "!document.getElementById('error').hidden && document.getElementById('error').textContent",
        "the error message",
    )
    .await;
    assert_eq!(shown, message);
    assert_eq!(
        c.execute(
            "return document.querySelectorAll('#results .hit').length",
            vec![]
        )
        .await
        .unwrap(),
        json!(0)
    );

    // Article text is text: markup in it is shown, never run.
    type_into(&c, "from", "").await;
    type_into(&c, "to", "").await;
    type_into(&c, "q", "xsstoken").await;
    c.find(Locator::Id("search"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "1 matching article,").await;
    let hostile = c
        .execute(
            "return [document.querySelector('#results .snippet').textContent, \
             document.querySelectorAll('#results img, #results script').length, \
             window.xss === undefined];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        hostile[0]
            .as_str()
            .unwrap()
            .contains("<script>window.xss=2</script>"),
        "{hostile}"
    );
    assert_eq!(hostile[1], 0, "markup from an article became elements");
    assert_eq!(hostile[2], true, "a script from an article ran");
    drop(server);
    drop(t);
}

/// Records with authors and sources: the page offers them as filters.
#[tokio::test(flavor = "multi_thread")]
async fn facets_as_filters_in_chromium() {
    let t = TestDir::new();
    let mut lines = String::new();
    for i in 0..12 {
        let (author, source) = match i % 3 {
            0 => ("Lina Haddad", "The Daily Ledger"),
            1 => ("Tom Reyes", "The Daily Ledger"),
            _ => ("Ana Ruiz", "Harbor Times"),
        };
        lines.push_str(
            &json!({
                "id": format!("r{i:02}"),
                "date": format!("20{:02}-03-01", 10 + i),
                "title": format!("Convoy report {i}"),
                "authors": [author],
                "source": source,
                "url": format!("https://example.org/{i}"),
                "text": format!("The convoy number {i} reached the valley."),
            })
            .to_string(),
        );
        lines.push('\n');
    }
    t.write("corpus/articles.jsonl", lines);
    t.index_corpus();
    in_chromium(t, drive_facets).await;
}

async fn drive_facets(c: Client, server: Server, _t: TestDir) {
    c.goto(&format!("{}?q=convoy", server.url))
        .await
        .expect("opening the page");
    summary_shows(&c, "12 matching articles").await;
    // Each hit shows its title and byline.
    let first = until(
        &c,
        "document.querySelector('#results .hit .title') && \
         document.querySelector('#results .hit .title').textContent + ' | ' + \
         document.querySelector('#results .hit .byline').textContent",
        "a hit's title and byline",
    )
    .await;
    let api = server.json("/api/search?q=convoy&limit=10", 200);
    let hit = &api["hits"][0];
    assert_eq!(
        first,
        json!(format!(
            "{} | by {} · {}",
            hit["title"].as_str().unwrap(),
            hit["authors"][0].as_str().unwrap(),
            hit["source"].as_str().unwrap()
        ))
    );
    // The facets: every match counted (12, more than the page's 10).
    let sources = until(
        &c,
        "Array.from(document.querySelectorAll('#facets li')).map(l => l.textContent).join('; ')",
        "the facets",
    )
    .await;
    assert_eq!(
        sources,
        json!("Ana Ruiz 4; Lina Haddad 4; Tom Reyes 4; The Daily Ledger 8; Harbor Times 4")
    );
    // A click on a source narrows the search to it, in the address bar too.
    c.find(Locator::LinkText("Harbor Times"))
        .await
        .expect("the source as a link")
        .click()
        .await
        .unwrap();
    summary_shows(&c, "4 matching articles").await;
    let params = url_params(&c).await;
    assert_eq!(param(&params, "source"), Some("Harbor Times"));
    let bylines = c
        .execute(
            "return Array.from(document.querySelectorAll('#results .byline')).map(b => b.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(bylines, json!(vec!["by Ana Ruiz · Harbor Times"; 4]));
    // The filter in force is a button that removes it.
    c.find(Locator::Css("#facets button"))
        .await
        .expect("the filter's button")
        .click()
        .await
        .unwrap();
    summary_shows(&c, "12 matching articles").await;
    assert_eq!(param(&url_params(&c).await, "source"), None);
    // In the concordance the filter in force is shown too, and removed the same way.
    c.goto(&format!(
        "{}?q=convoy&source=Harbor+Times&view=kwic",
        server.url
    ))
    .await
    .unwrap();
    let kwic = server.json("/api/kwic?q=convoy&source=Harbor+Times", 200);
    assert_eq!(kwic["articles"], 4, "{kwic}");
    summary_shows(&c, "lines in 4 articles").await;
    c.find(Locator::Css("#facets button"))
        .await
        .expect("the filter's button in the concordance")
        .click()
        .await
        .unwrap();
    summary_shows(&c, "lines in 12 articles").await;
    let params = url_params(&c).await;
    assert_eq!(param(&params, "source"), None, "{params:?}");
    assert_eq!(param(&params, "view"), Some("kwic"), "{params:?}");
    // An article shows its title, byline and link.
    let path = hit["path"].as_str().unwrap();
    c.goto(&format!("{}?q=convoy&article={}", server.url, enc(path)))
        .await
        .unwrap();
    let shown = until(
        &c,
        "!document.getElementById('article-title').hidden && \
         document.getElementById('article-title').textContent + ' | ' + \
         document.getElementById('article-byline').textContent",
        "the article's title",
    )
    .await;
    assert_eq!(
        shown,
        json!(format!(
            "{} | by {}{}{}",
            hit["title"].as_str().unwrap(),
            hit["authors"][0].as_str().unwrap(),
            hit["source"].as_str().unwrap(),
            hit["url"].as_str().unwrap()
        ))
    );
}

/// The timeline chart: one bar per bucket of /api/timeline, counts or shares, and a click on a
/// bar narrows the search to the bucket's dates.
#[tokio::test(flavor = "multi_thread")]
async fn timeline_chart_in_chromium() {
    let t = TestDir::new();
    corpus(&t);
    in_chromium(t, drive_chart).await;
}

/// The bars drawn: each one's dates, count and charted value, and its height in the SVG.
async fn shown_bars(c: &Client) -> Vec<Value> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('#chart-svg .bucket')).map(g => ({\
               start: g.dataset.start, end: g.dataset.end, label: g.dataset.label,\
               count: Number(g.dataset.count), value: Number(g.dataset.value),\
               height: Number(g.querySelector('.bar').getAttribute('height'))\
             }));",
            vec![],
        )
        .await
        .expect("reading the bars");
    v.as_array().expect("an array of bars").clone()
}

/// Waits until the chart shows as many bars as `api` has buckets, then checks each bar against
/// its bucket: dates, label, count, the value charted (`shares` or `counts`), and that the
/// heights follow the values (the tallest bar is the largest value, an empty bucket is flat).
async fn same_bars(c: &Client, api: &Value, series: &str) -> Vec<Value> {
    let buckets = api["buckets"].as_array().unwrap();
    assert!(!buckets.is_empty(), "no buckets: {api}");
    until(
        c,
        &format!(
            "!document.getElementById('chart').hidden && \
             document.querySelectorAll('#chart-svg .bucket').length === {}",
            buckets.len()
        ),
        &format!("{} bars", buckets.len()),
    )
    .await;
    let bars = shown_bars(c).await;
    let values: Vec<f64> = buckets
        .iter()
        .map(|b| b[series][0].as_f64().unwrap())
        .collect();
    let max = values.iter().cloned().fold(0.0, f64::max);
    assert!(max > 0.0, "nothing to chart: {api}");
    let tallest = bars
        .iter()
        .map(|b| b["height"].as_f64().unwrap())
        .fold(0.0, f64::max);
    for ((bar, b), v) in bars.iter().zip(buckets).zip(&values) {
        assert_eq!(bar["start"], b["start"], "{bar} vs {b}");
        assert_eq!(bar["end"], b["end"], "{bar} vs {b}");
        assert_eq!(bar["label"], b["label"], "{bar} vs {b}");
        assert_eq!(bar["count"], b["counts"][0], "{bar} vs {b}");
        let shown = bar["value"].as_f64().unwrap();
        assert!((shown - v).abs() < 1e-9, "{series}: {bar} vs {b}");
        let h = bar["height"].as_f64().unwrap();
        if *v == 0.0 {
            assert_eq!(h, 0.0, "an empty bucket has a bar: {bar}");
        } else {
            assert!(
                (h / tallest - v / max).abs() < 0.02,
                "height {h} of {tallest} for {v} of {max}: {bar}"
            );
        }
    }
    bars
}

async fn drive_chart(c: Client, server: Server, _t: TestDir) {
    c.goto(&format!("{}?q=convoy", server.url))
        .await
        .expect("opening the page");
    summary_shows(&c, "30 matching articles").await;
    let api = server.json("/api/timeline?q=convoy", 200);
    assert_eq!(api["by"], "year", "{api}");
    let bars = same_bars(&c, &api, "counts").await;
    assert_eq!(bars.len(), 30, "one bar a year, 1995 to 2024");

    // Shares: the values the API gives as shares, the toggle pressed.
    c.find(Locator::Id("chart-shares"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "document.getElementById('chart-shares').getAttribute('aria-pressed') === 'true' && \
         document.getElementById('chart-caption').textContent.startsWith('Share')",
        "the shares",
    )
    .await;
    same_bars(&c, &api, "shares").await;
    // 2024 holds the hostile article as well: its share is a half, the other years' all of it.
    assert_eq!(api["buckets"][29]["shares"][0], 0.5, "{api}");
    c.find(Locator::Id("chart-counts"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "document.getElementById('chart-counts').getAttribute('aria-pressed') === 'true'",
        "the counts again",
    )
    .await;
    same_bars(&c, &api, "counts").await;
    // The chart as a person sees it (docs/page-timeline.png in the README is this picture).
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(screenshot_dir().join("timeline.png"), png).unwrap();

    // A click on a bar narrows the search to its dates: the form, the address, the hits.
    let bucket = &api["buckets"][7];
    let (start, end) = (
        bucket["start"].as_str().unwrap(),
        bucket["end"].as_str().unwrap(),
    );
    c.find(Locator::Css("#chart-svg .bucket:nth-of-type(8) .bar"))
        .await
        .expect("the eighth bar")
        .click()
        .await
        .unwrap();
    let narrowed = server.json(
        &format!("/api/search?q=convoy&from={start}&to={end}&limit=10"),
        200,
    );
    let total = narrowed["total"].as_u64().unwrap();
    assert_eq!(total, bucket["counts"][0].as_u64().unwrap(), "{narrowed}");
    let noun = if total == 1 { "article" } else { "articles" };
    summary_shows(&c, &format!("{total} matching {noun}")).await;
    let params = url_params(&c).await;
    assert_eq!(param(&params, "from"), Some(start), "{params:?}");
    assert_eq!(param(&params, "to"), Some(end), "{params:?}");
    let hits = shown_hits(&c).await;
    assert_eq!(paths(&hits), paths(narrowed["hits"].as_array().unwrap()));
    for h in &hits {
        let d = h["date"].as_str().unwrap();
        assert!(
            (start..=end).contains(&d),
            "{d} is outside {start} to {end}"
        );
    }
    let form = c
        .execute(
            "return [document.getElementById('from').value, document.getElementById('to').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(form, json!([start, end]));
    // The chart now shows the bucket's own timeline, by month.
    let inner = server.json(
        &format!("/api/timeline?q=convoy&from={start}&to={end}"),
        200,
    );
    assert_eq!(inner["by"], "month", "{inner}");
    same_bars(&c, &inner, "counts").await;
    // The keyboard narrows too: Enter on a focused bar.
    let month = inner["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .position(|b| b["counts"][0].as_u64() > Some(0))
        .expect("a month with a match");
    let b = &inner["buckets"][month];
    c.execute(
        &format!("document.querySelectorAll('#chart-svg .bucket')[{month}].focus();"),
        vec![],
    )
    .await
    .unwrap();
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let params = loop_until_param(&c, "to", b["end"].as_str().unwrap()).await;
    assert_eq!(param(&params, "from"), b["start"].as_str(), "{params:?}");
    summary_shows(&c, "1 matching article").await;
}

/// Waits until the page's address has `key` = `value`, and returns its parameters.
async fn loop_until_param(c: &Client, key: &str, value: &str) -> Vec<(String, String)> {
    let start = Instant::now();
    loop {
        let params = url_params(c).await;
        if param(&params, key) == Some(value) {
            return params;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the address never had {key}={value}: {params:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The concordance view: the lines of /api/kwic, a page at a time, each opening its article.
#[tokio::test(flavor = "multi_thread")]
async fn kwic_view_in_chromium() {
    let t = TestDir::new();
    corpus(&t);
    in_chromium(t, drive_kwic).await;
}

/// The concordance lines shown: date, path, paragraph label, left, match and right.
async fn shown_lines(c: &Client) -> Vec<Value> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('#kwic .kline')).map(l => ({\
               date: l.querySelector('.date').textContent,\
               path: l.querySelector('.path').textContent,\
               para: l.querySelector('.para').textContent,\
               left: l.querySelector('.left').textContent,\
               match: l.querySelector('.match').textContent,\
               right: l.querySelector('.right').textContent\
             }));",
            vec![],
        )
        .await
        .expect("reading the lines");
    v.as_array().expect("an array of lines").clone()
}

fn same_lines(shown: &[Value], api: &Value) {
    let lines = api["lines"].as_array().unwrap();
    assert!(!lines.is_empty(), "no lines: {api}");
    assert_eq!(shown.len(), lines.len(), "lines shown vs API: {shown:?}");
    for (s, l) in shown.iter().zip(lines) {
        assert_eq!(s["date"], l["date"]);
        assert_eq!(s["path"], l["path"]);
        assert_eq!(s["para"], format!("¶{}", l["paragraph"]));
        assert_eq!(s["left"], l["left"]);
        assert_eq!(s["match"], l["match"]);
        assert_eq!(s["right"], l["right"]);
        assert!(
            s["match"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .starts_with("convoy"),
            "{s}"
        );
    }
}

async fn drive_kwic(c: Client, server: Server, _t: TestDir) {
    c.goto(&format!("{}?q=convoy", server.url))
        .await
        .expect("opening the page");
    summary_shows(&c, "30 matching articles").await;
    c.find(Locator::Id("view-kwic"))
        .await
        .expect("the concordance link")
        .click()
        .await
        .unwrap();
    let api = server.json("/api/kwic?q=convoy&limit=40", 200);
    let total = api["total"].as_u64().unwrap();
    // Every article's first paragraph, and the third of the fifteen even ones.
    assert_eq!(total, 45, "{api}");
    assert_eq!(api["articles"], 30, "{api}");
    summary_shows(&c, "45 lines in 30 articles, showing 1-40").await;
    assert_eq!(param(&url_params(&c).await, "view"), Some("kwic"));
    same_lines(&shown_lines(&c).await, &api);
    assert_eq!(
        c.execute(
            "return document.querySelectorAll('#results .hit').length",
            vec![]
        )
        .await
        .unwrap(),
        json!(0),
        "hits shown beside the concordance"
    );
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    std::fs::write(
        screenshot_dir().join("kwic.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // At phone width the lines are cut, never scrolled sideways.
    c.set_window_size(375, 800).await.unwrap();
    until(&c, "window.innerWidth <= 375", "a 375 px viewport").await;
    fits_phone(&c, "the concordance").await;
    c.set_window_size(1280, 1000).await.unwrap();
    // The next page: the rest of the lines.
    c.find(Locator::Id("next"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "showing 41-45").await;
    same_lines(
        &shown_lines(&c).await,
        &server.json("/api/kwic?q=convoy&limit=40&offset=40", 200),
    );
    // A shared URL with dates gives the lines of those dates only.
    c.goto(&format!(
        "{}?q=convoy&from=2000&to=2004&view=kwic",
        server.url
    ))
    .await
    .unwrap();
    let ranged = server.json("/api/kwic?q=convoy&from=2000&to=2004&limit=40", 200);
    summary_shows(
        &c,
        &format!("{} lines in 5 articles", ranged["total"].as_u64().unwrap()),
    )
    .await;
    let shown = shown_lines(&c).await;
    same_lines(&shown, &ranged);
    // A click on a line opens its article.
    let path = shown[0]["path"].as_str().unwrap().to_string();
    c.find(Locator::Css("#kwic .kline .right"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "!document.getElementById('article').hidden && \
         document.querySelectorAll('#article .paragraph.match').length",
        "the article of a line",
    )
    .await;
    assert_eq!(param(&url_params(&c).await, "article"), Some(path.as_str()));
    // The Articles link goes back to the hits, the dates kept.
    c.find(Locator::Id("back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "in 5 articles").await;
    c.find(Locator::Id("view-hits"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "5 matching articles").await;
    let params = url_params(&c).await;
    assert_eq!(param(&params, "view"), None, "{params:?}");
    assert_eq!(param(&params, "from"), Some("2000"), "{params:?}");

    // The Keywords view: the rows of /api/keywords for the same selection.
    c.find(Locator::Id("view-keywords"))
        .await
        .expect("the keywords link")
        .click()
        .await
        .unwrap();
    let kw = server.json("/api/keywords?q=convoy&from=2000&to=2004&limit=40", 200);
    let words = kw["keywords"].as_array().unwrap();
    assert!(!words.is_empty(), "{kw}");
    summary_shows(
        &c,
        &format!(
            "{} keywords of 5 articles against {}",
            words.len(),
            kw["reference_articles"]
        ),
    )
    .await;
    assert_eq!(param(&url_params(&c).await, "view"), Some("keywords"));
    let rows = c
        .execute(
            "return Array.from(document.querySelectorAll('#keywords-body tr')).map(r =>                Array.from(r.cells).map(c => c.textContent));",
            vec![],
        )
        .await
        .unwrap();
    let want: Vec<Value> = words
        .iter()
        .map(|k| {
            json!([
                k["word"],
                k["selection"].to_string(),
                k["reference"].to_string(),
                format!("{:.1}", k["g2"].as_f64().unwrap()),
                format!("{:.2}", k["log_ratio"].as_f64().unwrap()),
            ])
        })
        .collect();
    assert_eq!(rows, json!(want));
    // A bad selection: the server's message, and the way back to the articles.
    let (status, _, body) = server.get("/api/keywords?q=convoy&from=2020&to=2010");
    assert_eq!(status, 400, "{body}");
    let message: Value = serde_json::from_str(&body).unwrap();
    c.goto(&format!(
        "{}?q=convoy&from=2020&to=2010&view=keywords",
        server.url
    ))
    .await
    .unwrap();
    let shown = until(
        &c,
        "!document.getElementById('error').hidden &&          !document.getElementById('views').hidden &&          document.getElementById('error').textContent",
        "the keywords' error",
    )
    .await;
    assert_eq!(shown, message["error"]);
    c.find(Locator::Id("view-hits"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "document.getElementById('view-hits').getAttribute('aria-current') === 'page' &&          !document.getElementById('error').hidden",
        "the articles view, with the search's own error",
    )
    .await;
    assert_eq!(param(&url_params(&c).await, "view"), None);
    c.goto(&format!(
        "{}?q=convoy&from=2000&to=2004&view=keywords",
        server.url
    ))
    .await
    .unwrap();
    summary_shows(&c, "keywords of 5 articles").await;
    c.set_window_size(375, 800).await.unwrap();
    until(&c, "window.innerWidth <= 375", "a 375 px viewport").await;
    fits_phone(&c, "the keywords").await;
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    std::fs::write(
        screenshot_dir().join("keywords-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

/// The "similar articles" link of each hit: the articles of /api/similar, each opening its
/// article, and the way back to the results.
#[tokio::test(flavor = "multi_thread")]
async fn similar_view_in_chromium() {
    let t = TestDir::new();
    corpus(&t);
    in_chromium(t, drive_similar).await;
}

/// The similar articles shown: what [`shown_hits`] reads, and the words each shares.
async fn shown_similar(c: &Client) -> Vec<Value> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('#similar-hits .hit')).map(h => ({\
               date: h.querySelector('.date').textContent,\
               path: h.querySelector('.path').textContent,\
               para: h.querySelector('.para').textContent,\
               snippet: h.querySelector('.snippet').textContent,\
               marks: Array.from(h.querySelectorAll('.snippet mark')).map(m => m.textContent),\
               shared: (h.querySelector('.shared') || {}).textContent || '',\
               links: h.querySelectorAll('a.more').length\
             }));",
            vec![],
        )
        .await
        .expect("reading the similar articles");
    v.as_array().expect("an array of hits").clone()
}

/// Waits for the similar view of `path`, then checks what it shows against `api`: the article
/// named, the words compared by, and each article in order with its date, path, paragraph,
/// snippet, marks and shared words.
async fn same_similar(c: &Client, path: &str, api: &Value) {
    let hits = api["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "nothing similar: {api}");
    until(
        c,
        &format!(
            "!document.getElementById('similar').hidden && \
             document.getElementById('list').hidden && \
             document.getElementById('similar-path').textContent === {} && \
             document.getElementById('similar-summary').textContent && \
             document.querySelectorAll('#similar-hits .hit').length === {}",
            json!(path),
            hits.len()
        ),
        "the similar articles",
    )
    .await;
    let shown = shown_similar(c).await;
    assert_eq!(api["article"], path, "{api}");
    for (s, h) in shown.iter().zip(hits) {
        let snippet = h["snippet"].as_str().unwrap();
        assert_eq!(s["date"], h["date"]);
        assert_eq!(s["path"], h["path"]);
        assert_ne!(s["path"], path, "the article itself is listed");
        assert_eq!(s["para"], format!("¶{}", h["paragraph"]));
        assert_eq!(s["snippet"], snippet, "snippet text changed on the page");
        assert_eq!(s["marks"], json!(marked(snippet, &h["highlights"])));
        let shared: Vec<&str> = h["shared"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        assert!(!shared.is_empty(), "{h}");
        assert_eq!(s["shared"], format!("shares: {}", shared.join(", ")));
        assert_eq!(
            s["links"], 0,
            "a similar article links to more similar ones"
        );
    }
    let terms: Vec<&str> = api["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let said = c
        .execute(
            "return [document.getElementById('similar-terms').textContent, \
             document.getElementById('similar-summary').textContent];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(said[0], format!("Compared by: {}", terms.join(", ")));
    let summary = said[1].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "{} articles share its words",
            api["total"].as_u64().unwrap()
        )) && summary.contains(&format!("the {} most similar", hits.len())),
        "{summary}"
    );
}

async fn drive_similar(c: Client, server: Server, _t: TestDir) {
    c.goto(&format!("{}?q=convoy", server.url))
        .await
        .expect("opening the page");
    let text = summary_shows(&c, "showing 1-10 of 30").await;
    let results = shown_hits(&c).await;
    // Every hit has the link, a real one: its address is that of the view.
    let links = c
        .execute(
            "return Array.from(document.querySelectorAll('#results .hit')).map(h => {\
               const a = h.querySelector('a.more');\
               return a && [a.textContent, new URL(a.href).searchParams.get('similar'),\
                 a.tagName, a.tabIndex];\
             });",
            vec![],
        )
        .await
        .unwrap();
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), results.len());
    for (l, h) in links.iter().zip(&results) {
        assert_eq!(l[0], "similar articles", "{l}");
        assert_eq!(l[1], h["path"], "{l}");
        // A link with an address: focusable, and Enter follows it.
        assert_eq!(l[2], "A", "{l}");
        assert_eq!(l[3], 0, "{l}");
    }

    // A click on the first hit's link: the articles /api/similar gives for it.
    let first = results[0]["path"].as_str().unwrap().to_string();
    c.find(Locator::Css("#results .hit a.more"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let api = server.json(&format!("/api/similar?path={}&n=10", enc(&first)), 200);
    same_similar(&c, &first, &api).await;
    let params = url_params(&c).await;
    assert_eq!(
        param(&params, "similar"),
        Some(first.as_str()),
        "{params:?}"
    );
    assert_eq!(param(&params, "q"), Some("convoy"), "{params:?}");
    assert_eq!(param(&params, "article"), None, "{params:?}");
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    let png = c.screenshot().await.expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::write(screenshot_dir().join("similar.png"), png).unwrap();
    c.set_window_size(375, 800).await.unwrap();
    until(&c, "window.innerWidth <= 375", "a 375 px viewport").await;
    fits_phone(&c, "the similar articles").await;
    c.set_window_size(1280, 1000).await.unwrap();

    // A similar article opens; the way back leads to the similar articles, then the results.
    let second = api["hits"][0]["path"].as_str().unwrap().to_string();
    c.find(Locator::Css("#similar-hits .hit .snippet"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &c,
        "!document.getElementById('article').hidden && \
         document.getElementById('similar').hidden && \
         document.querySelectorAll('#article .paragraph').length",
        "the article of a similar one",
    )
    .await;
    assert_eq!(
        param(&url_params(&c).await, "article"),
        Some(second.as_str())
    );
    let back = c.find(Locator::Id("back")).await.unwrap();
    assert_eq!(back.text().await.unwrap(), "← Back to similar articles");
    c.find(Locator::Id("back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    same_similar(&c, &first, &api).await;
    assert_eq!(param(&url_params(&c).await, "article"), None);
    c.find(Locator::Id("similar-back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(summary_shows(&c, "showing 1-10 of 30").await, text);
    until(
        &c,
        "document.getElementById('similar').hidden && !document.getElementById('list').hidden",
        "the results again",
    )
    .await;
    assert_eq!(paths(&shown_hits(&c).await), paths(&results));
    assert_eq!(param(&url_params(&c).await, "similar"), None);

    // The keyboard: Enter on the third hit's link, and the browser's back button.
    let third = results[2]["path"].as_str().unwrap().to_string();
    c.execute(
        "document.querySelectorAll('#results .hit a.more')[2].focus();",
        vec![],
    )
    .await
    .unwrap();
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let api3 = server.json(&format!("/api/similar?path={}&n=10", enc(&third)), 200);
    same_similar(&c, &third, &api3).await;
    c.back().await.unwrap();
    summary_shows(&c, "showing 1-10 of 30").await;
    until(
        &c,
        "document.getElementById('similar').hidden && !document.getElementById('list').hidden",
        "the results after the browser's back",
    )
    .await;

    // A shared address with dates: the similar articles within them, said so.
    c.goto(&format!(
        "{}?q=convoy&from=2000&to=2009&similar={}",
        server.url,
        enc(&first)
    ))
    .await
    .unwrap();
    let ranged = server.json(
        &format!("/api/similar?path={}&n=10&from=2000&to=2009", enc(&first)),
        200,
    );
    same_similar(&c, &first, &ranged).await;
    for h in ranged["hits"].as_array().unwrap() {
        let d = h["date"].as_str().unwrap();
        assert!(("2000".."2010").contains(&d), "{d} is outside 2000 to 2009");
    }
    let summary = until(
        &c,
        "document.getElementById('similar-summary').textContent",
        "the summary",
    )
    .await;
    assert!(
        summary
            .as_str()
            .unwrap()
            .contains("within the search's dates"),
        "{summary}"
    );
    // Opened from its address, #similar-back still leads to the results.
    c.find(Locator::Id("similar-back"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    summary_shows(&c, "10 matching articles").await;
    assert_eq!(param(&url_params(&c).await, "similar"), None);
}
