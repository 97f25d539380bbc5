//! `dateline serve`: every endpoint against the CLI's own JSON, every bad parameter, a path
//! traversal attempt, the time limit, a commit picked up while serving, the loopback default
//! and a clean stop on Ctrl-C. The server runs as the binary does, on a free port of loopback;
//! requests are plain HTTP/1.1 over a TCP socket.

use crate::common::server::{Server, enc};
use crate::common::{SEED, TestDir, WINTER};
use serde_json::Value;
use std::time::{Duration, Instant};

/// `value` without `took_ms` and `page_ms` (times, different on every run).
fn timeless(mut value: Value) -> Value {
    let object = value.as_object_mut().unwrap();
    object.remove("took_ms");
    object.remove("page_ms");
    value
}

fn served() -> (TestDir, Server) {
    let t = TestDir::with_good();
    t.write(
        "corpus/essays/2019-05-05-harbour.txt",
        " date 2019-05-05 Aid convoys at the harbour\n\nThe convoys waited for a week.\n",
    );
    t.index_corpus();
    let s = Server::start(&t, "127.0.0.1:0", &[]);
    (t, s)
}

/// `/api/search` gives exactly what `dateline search --json` gives for the same arguments.
#[test]
fn search_answers_as_the_cli_does() {
    let (t, s) = served();
    let essays = t.join("corpus/essays");
    let essays = essays.to_str().unwrap();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("aid convoys Aleppo", vec![]),
        ("convoys", vec![("from", "2016"), ("to", "2016-09-30")]),
        (
            "convoys",
            vec![("sort", "newest"), ("limit", "2"), ("offset", "1")],
        ),
        ("\"aid caravans\"", vec![("snippets", "3")]),
        ("convoys", vec![("in", essays)]),
        ("", vec![("sort", "oldest")]),
        ("convoyz", vec![]),
    ];
    for (q, params) in cases {
        let mut target = format!("/api/search?q={}", enc(q));
        let mut args = vec!["search".to_string(), q.to_string(), "--json".to_string()];
        for (k, v) in &params {
            target.push_str(&format!("&{k}={}", enc(v)));
            let flag = match *k {
                "in" => "--in".to_string(),
                "limit" => "-n".to_string(),
                k => format!("--{k}"),
            };
            args.push(flag);
            args.push(v.to_string());
        }
        let api = s.json(&target, 200);
        let cli = t.run(&args);
        assert_ne!(cli.code, 2, "{args:?}: {}", cli.stderr);
        assert_eq!(timeless(api), timeless(cli.json()), "{target}");
    }
}

/// `/api/article` gives the stored article as `dateline show --json` does, with the paragraphs
/// a query matches and their ranges; a path not in the index is 404, whatever is on disk.
#[test]
fn article_comes_from_the_index_only() {
    let (t, s) = served();
    let path = "corpus/essays/2019-05-05-harbour.txt";
    let v = s.json(&format!("/api/article?path={}&q=convoys", enc(path)), 200);
    let shown = t.run(["show", path, "--json"]).json();
    for key in ["path", "date", "paragraphs"] {
        assert_eq!(v[key], shown[key], "{key}");
    }
    let matches = v["matches"].as_array().unwrap();
    let numbers: Vec<u64> = matches
        .iter()
        .map(|m| m["paragraph"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2], "{v}");
    for m in matches {
        let p = v["paragraphs"][m["paragraph"].as_u64().unwrap() as usize - 1]
            .as_str()
            .unwrap();
        for r in m["highlights"].as_array().unwrap() {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert_eq!(p[a..b].to_lowercase(), "convoys", "{p}");
        }
    }
    let plain = s.json(&format!("/api/article?path={}", enc(path)), 200);
    assert_eq!(plain["matches"], serde_json::json!([]));

    // Files that exist on disk but are not indexed, and traversal attempts: 404, no content.
    t.write("secret.txt", " date 2020-01-01 Not for the web.");
    let secret = t.join("secret.txt");
    for path in [
        "secret.txt",
        secret.to_str().unwrap(),
        "../../../../../../etc/passwd",
        "/etc/passwd",
        "corpus/../secret.txt",
        "corpus/%2e%2e/secret.txt",
    ] {
        let (status, _, body) = s.get(&format!("/api/article?path={}", enc(path)));
        assert_eq!(status, 404, "{path}: {body}");
        assert!(
            !body.contains("Not for the web") && !body.contains("root:"),
            "{body}"
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(
            v["error"].as_str().unwrap().contains("not in the index"),
            "{v}"
        );
    }
    let v = s.json("/api/article", 400);
    assert!(v["error"].as_str().unwrap().contains("path"), "{v}");
}

/// `/api/similar` gives exactly what `dateline similar PATH --json` gives for an indexed
/// article, with the same selection.
#[test]
fn similar_answers_as_the_cli_does() {
    let (t, s) = served();
    let essays = t.join("corpus/essays");
    let essays = essays.to_str().unwrap();
    let harbour = "corpus/essays/2019-05-05-harbour.txt";
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (SEED, vec![]),
        (SEED, vec![("n", "2")]),
        (SEED, vec![("from", "2016"), ("to", "2019-12")]),
        (WINTER, vec![("in", essays)]),
        (harbour, vec![]),
        (SEED, vec![("author", "Nobody Known")]),
    ];
    let mut found = 0;
    for (path, params) in cases {
        let mut target = format!("/api/similar?path={}", enc(path));
        let mut args = vec![
            "similar".to_string(),
            path.to_string(),
            "--json".to_string(),
        ];
        for (k, v) in &params {
            target.push_str(&format!("&{k}={}", enc(v)));
            args.push(match *k {
                "n" => "-n".to_string(),
                k => format!("--{k}"),
            });
            args.push(v.to_string());
        }
        let api = s.json(&target, 200);
        let cli = t.run(&args);
        assert!(cli.code == 0 || cli.code == 1, "{args:?}: {}", cli.stderr);
        assert_eq!(api["article"], path, "{target}: {api}");
        assert_eq!(api["indexed"], true, "{target}");
        let hits = api["hits"].as_array().unwrap();
        assert!(hits.iter().all(|h| h["path"] != path), "{target}: {api}");
        found += hits.len();
        assert_eq!(timeless(api), timeless(cli.json()), "{target}");
    }
    assert!(found > 0, "no case found a similar article");

    // The selection is applied: fewer hits, all within it.
    let all = s.json(&format!("/api/similar?path={}", enc(SEED)), 200);
    let two = s.json(&format!("/api/similar?path={}&n=2", enc(SEED)), 200);
    assert!(all["hits"].as_array().unwrap().len() > 2, "{all}");
    assert_eq!(two["hits"].as_array().unwrap().len(), 2, "{two}");
    assert_eq!(two["hits"][0], all["hits"][0]);
    let ranged = s.json(
        &format!("/api/similar?path={}&from=2016&to=2016", enc(SEED)),
        200,
    );
    for h in ranged["hits"].as_array().unwrap() {
        assert!(h["date"].as_str().unwrap().starts_with("2016-"), "{ranged}");
    }
    assert!(ranged["total"].as_u64() < all["total"].as_u64(), "{ranged}");
    // The article named by its absolute path is the same article, shown as search shows it.
    let absolute = t.join(SEED);
    let v = s.json(
        &format!("/api/similar?path={}", enc(absolute.to_str().unwrap())),
        200,
    );
    assert_eq!(timeless(v), timeless(all));
}

/// `/api/similar` reads only articles stored in the index: a file on disk that is not indexed
/// is 404 naming it, never read, though `dateline similar` reads it; no path is 400.
#[test]
fn similar_comes_from_the_index_only() {
    let (t, s) = served();
    let words = " date 2020-01-01 Secretcontent: aid caravans for Aleppo, convoys of relief.";
    t.write("secret.txt", words);
    t.write("corpus/2021-01-01-late.txt", words);
    // The command line reads such a file on the spot, and finds articles like it.
    let cli = t.run(["similar", "secret.txt", "--json"]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let read = cli.json();
    assert_eq!(read["indexed"], false, "{read}");
    assert!(!read["hits"].as_array().unwrap().is_empty(), "{read}");
    let secret = t.join("secret.txt");
    for path in [
        "secret.txt",
        secret.to_str().unwrap(),
        "corpus/2021-01-01-late.txt",
        "corpus/../secret.txt",
        "../../../../../../etc/passwd",
        "/etc/passwd",
    ] {
        let (status, head, body) = s.get(&format!("/api/similar?path={}", enc(path)));
        assert_eq!(status, 404, "{path}: {body}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            !body.contains("ecretcontent") && !body.contains("root:"),
            "{body}"
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["error"].as_str().unwrap(),
            format!("{path} is not in the index"),
            "{v}"
        );
    }
    for target in ["/api/similar", "/api/similar?path=", "/api/similar?n=3"] {
        let v = s.json(target, 400);
        assert!(
            v["error"].as_str().unwrap().contains("path"),
            "{target}: {v}"
        );
    }
}

/// `/api/stats` and `/api/timeline` give what `stats --json` and `timeline --json` give.
#[test]
fn stats_and_timeline_answer_as_the_cli_does() {
    let (t, s) = served();
    assert_eq!(s.json("/api/stats", 200), t.stats());
    let api = s.json(
        "/api/timeline?q=convoys&q=aid+Aleppo&by=year&from=2015&to=2020",
        200,
    );
    let cli = t
        .run([
            "timeline",
            "convoys",
            "aid Aleppo",
            "--by",
            "year",
            "--from",
            "2015",
            "--to",
            "2020",
            "--json",
        ])
        .json();
    assert_eq!(timeless(api.clone()), timeless(cli));
    assert_eq!(api["buckets"].as_array().unwrap().len(), 6);
}

/// `/api/timeline` with `share=1` and `smooth=N` gives what `timeline --share --smooth N
/// --json` gives: `articles`, `shares` and `smoothed` per bucket.
#[test]
fn timeline_shares_and_smoothing_answer_as_the_cli_does() {
    let (t, s) = served();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "q=convoys&q=aid&by=year&share=1&smooth=1",
            vec!["convoys", "aid", "--by", "year", "--share", "--smooth", "1"],
        ),
        (
            "q=convoys&by=year&smooth=2",
            vec!["convoys", "--by", "year", "--smooth", "2"],
        ),
    ];
    for (query, flags) in cases {
        let api = s.json(&format!("/api/timeline?{query}"), 200);
        let mut args = vec!["timeline"];
        args.extend(flags);
        args.push("--json");
        let cli = t.run(&args);
        assert_eq!(cli.code, 0, "{args:?}: {}", cli.stderr);
        let buckets = api["buckets"].as_array().unwrap();
        assert!(buckets.len() > 1, "{query}");
        assert!(buckets.iter().all(|b| b["smoothed"].is_array()), "{query}");
        assert_eq!(timeless(api), timeless(cli.json()), "{query}");
    }
}

/// `/api/kwic` gives exactly what `dateline kwic --json` gives for the same arguments.
#[test]
fn kwic_answers_as_the_cli_does() {
    let (t, s) = served();
    let essays = t.join("corpus/essays");
    let essays = essays.to_str().unwrap();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("convoys", vec![]),
        ("convoys", vec![("sort", "left"), ("width", "3")]),
        ("convoys", vec![("limit", "2"), ("offset", "1")]),
        ("\"aid convoys\"", vec![("from", "2016"), ("to", "2019")]),
        ("convoys", vec![("in", essays), ("sort", "right2")]),
    ];
    for (q, params) in cases {
        let mut target = format!("/api/kwic?q={}", enc(q));
        let mut args = vec!["kwic".to_string(), q.to_string(), "--json".to_string()];
        for (k, v) in &params {
            target.push_str(&format!("&{k}={}", enc(v)));
            args.push(match *k {
                "limit" => "-n".to_string(),
                k => format!("--{k}"),
            });
            args.push(v.to_string());
        }
        let api = s.json(&target, 200);
        let cli = t.run(&args);
        assert_eq!(cli.code, 0, "{args:?}: {}", cli.stderr);
        assert!(api["total"].as_u64().unwrap() > 0, "{target}");
        assert_eq!(timeless(api), timeless(cli.json()), "{target}");
    }
}

/// `/api/keywords` gives exactly what `dateline keywords --json` gives, against the rest of
/// the archive and against a reference named by `vs_q`, `vs_from`, `vs_to`, `vs_in`.
#[test]
fn keywords_answer_as_the_cli_does() {
    let (t, s) = served();
    let essays = t.join("corpus/essays");
    let essays = essays.to_str().unwrap();
    // The API's parameters, and the CLI's arguments saying the same.
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec![("q", "convoys"), ("min", "1")],
            vec!["convoys", "--min", "1"],
        ),
        (
            vec![
                ("from", "2016"),
                ("to", "2017"),
                ("min", "1"),
                ("limit", "5"),
            ],
            vec!["--from", "2016", "--to", "2017", "--min", "1", "-n", "5"],
        ),
        (
            vec![("q", "aid"), ("min", "1"), ("negative", "1")],
            vec!["aid", "--min", "1", "--negative"],
        ),
        (
            vec![
                ("in", essays),
                ("vs_q", "convoys"),
                ("vs_from", "2015"),
                ("min", "1"),
            ],
            vec![
                "--in",
                essays,
                "--vs-query",
                "convoys",
                "--vs-from",
                "2015",
                "--min",
                "1",
            ],
        ),
        (
            vec![
                ("q", "convoys"),
                ("vs_in", essays),
                ("vs_to", "2020"),
                ("min", "1"),
            ],
            vec![
                "convoys", "--vs-in", essays, "--vs-to", "2020", "--min", "1",
            ],
        ),
    ];
    for (params, flags) in cases {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        let target = format!("/api/keywords?{}", query.join("&"));
        let mut args = vec!["keywords"];
        args.extend(flags);
        args.push("--json");
        let api = s.json(&target, 200);
        let cli = t.run(&args);
        assert_eq!(cli.code, 0, "{args:?}: {}", cli.stderr);
        assert!(!api["keywords"].as_array().unwrap().is_empty(), "{target}");
        assert_eq!(timeless(api), timeless(cli.json()), "{target}");
    }
}

/// Every bad parameter is a 400 with `{"error"}` naming it; an unknown page is a 404.
#[test]
fn bad_parameters_are_refused_by_name() {
    let (_t, s) = served();
    let long = "a".repeat(5000);
    let cases = [
        ("/api/search?q=aid&from=2016-13", "from"),
        ("/api/search?q=aid&to=yesterday", "to"),
        ("/api/search?q=aid&from=2017&to=2016", "after"),
        ("/api/search?q=aid&limit=ten", "limit"),
        ("/api/search?q=aid&limit=101", "limit"),
        ("/api/search?q=aid&offset=-1", "offset"),
        ("/api/search?q=aid&offset=10001", "offset"),
        ("/api/search?q=aid&sort=random", "sort"),
        ("/api/search?q=aid&snippets=0", "snippets"),
        (
            "/api/search?q=aid&in=nowhere",
            "in=nowhere: no indexed article",
        ),
        ("/api/timeline?q=aid&in=nowhere", "in=nowhere"),
        (&format!("/api/search?q={long}") as &str, "4096"),
        ("/api/timeline?by=decade", "q"),
        ("/api/timeline?q=aid&by=week", "by"),
        ("/api/timeline?q=aid&from=1999-02-30", "from"),
        ("/api/timeline?q=aid&share=yes", "share"),
        ("/api/timeline?q=aid&smooth=101", "smooth"),
        ("/api/kwic?q=", "q is required"),
        ("/api/kwic?q=aid&sort=middle", "sort"),
        ("/api/kwic?q=aid&width=101", "width"),
        ("/api/kwic?q=aid&in=nowhere", "in=nowhere"),
        ("/api/keywords", "nothing selected"),
        ("/api/keywords?q=aid&vs_from=2016-13", "vs_from"),
        ("/api/keywords?q=aid&vs_in=nowhere", "vs_in=nowhere"),
        ("/api/keywords?q=aid&negative=maybe", "negative"),
        ("/api/similar?path=corpus/a.txt&n=101", "n=101"),
        ("/api/similar?path=corpus/a.txt&n=few", "n="),
        ("/api/similar?path=corpus/a.txt&from=2016-13", "from"),
        ("/api/similar?path=corpus/a.txt&in=nowhere", "in=nowhere"),
        ("/api/similar?path=corpus/a.txt&author=", "author"),
    ];
    for (target, word) in cases {
        let v = s.json(target, 400);
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains(word), "{target}: {msg}");
    }
    let v = s.json("/api/nothing", 404);
    assert!(v["error"].is_string());
}

/// A request over the time limit is answered 503 with `{"error"}` at once, not left hanging,
/// and the server goes on answering.
#[test]
fn a_request_over_the_time_limit_is_503() {
    let t = TestDir::with_good();
    t.index_corpus();
    let s = Server::start(&t, "127.0.0.1:0", &["--timeout-ms", "0"]);
    let started = Instant::now();
    let v = s.json("/api/search?q=convoys", 503);
    assert!(v["error"].as_str().unwrap().contains("cut off"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let v = s.json("/api/stats", 503);
    assert!(v["error"].is_string());
    // The page itself needs no search.
    let (status, _, _) = s.get("/");
    assert_eq!(status, 200);
}

/// A `dateline index` run that commits while the server runs is picked up without a restart.
#[test]
fn a_commit_is_picked_up_while_serving() {
    let (t, s) = served();
    let before = s.json("/api/search?q=zeppelin", 200);
    assert_eq!(before["total"], 0);
    t.write(
        "corpus/2021-02-02-zeppelin.txt",
        " date 2021-02-02 A zeppelin over the harbour.",
    );
    t.index_corpus();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = s.json("/api/search?q=zeppelin", 200);
        if v["total"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the commit was not picked up: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(s.json("/api/stats", 200)["articles"], t.article_count());
}

/// The page is served self-contained, with a policy that lets the browser load nothing else.
#[test]
fn the_page_is_self_contained() {
    let (_t, s) = served();
    let (status, head, body) = s.get("/");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(
        body.contains("<html") || body.contains("<!doctype"),
        "{body}"
    );
    assert!(!body.contains("<script src="), "outside scripts");
}

/// Loopback by default; another address is served only when asked, with a warning; Ctrl-C
/// stops the server cleanly (exit 0, "stopped").
#[test]
fn loopback_by_default_and_ctrl_c_stops_cleanly() {
    let t = TestDir::with_good();
    t.index_corpus();
    let help = t.run(["serve", "--help"]);
    assert!(help.stdout.contains("127.0.0.1:7878"), "{}", help.stdout);
    let s = Server::start(&t, "127.0.0.1:0", &[]);
    assert!(s.addr.ip().is_loopback(), "{}", s.addr);
    let (code, err) = s.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped"), "{err}");
    assert!(!err.contains("warning"), "{err}");

    let s = Server::start(&t, "0.0.0.0:0", &[]);
    assert!(s.url.starts_with("http://0.0.0.0:"), "{}", s.url);
    let (_, err) = s.interrupt();
    assert!(err.contains("warning: listening on 0.0.0.0"), "{err}");
}

/// An address already in use is a clear error, exit 2.
#[test]
fn an_address_in_use_is_an_error() {
    let t = TestDir::with_good();
    t.index_corpus();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = t.run(["serve", "--addr", &addr]);
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!("cannot listen on {addr}")),
        "{}",
        out.stderr
    );
}
