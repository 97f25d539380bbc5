//! Command-line definitions and dispatch. Arguments arrive as raw strings and are validated into
//! library types here; the library does the work; `render` prints.

pub mod manual;

use crate::collocates::{self, Measure};
use crate::index::damage::{self, Damaged, WriteError};
use crate::index::store::{self, OpenError};
use crate::index::writer::{self, Progress};
use crate::kwic::{self, KwicSort};
use crate::records::Mapping;
use crate::render::{self, ColorChoice, Printer};
use crate::search::dates::{ArgNames, QueryError};
use crate::search::facets::Facet;
use crate::search::plan::{self, DateRange};
use crate::search::rank::Ranking;
use crate::search::{self, Request, SearchError, Sort};
use crate::selection::Selection;
use crate::timeline::{self, By};
use crate::{check, corpus, eval, export, keywords, serve, similar, stats, tables};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Fast full-text search for folders of dated articles.
#[derive(Debug, Parser)]
#[command(
    name = "dateline",
    version,
    about,
    after_help = top_help()
)]
pub struct Cli {
    /// Index folder
    #[arg(long, global = true, env = "DATELINE_INDEX", default_value = "./index")]
    pub index: PathBuf,
    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

/// `--from` and `--to`.
#[derive(Debug, Args)]
pub struct Dates {
    /// First date included (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last date included (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

impl Dates {
    fn range(&self) -> Result<DateRange, QueryError> {
        DateRange::parse(self.from.as_deref(), self.to.as_deref())
    }
}

/// `--from`, `--to`, `--in`, `--author` and `--source`: which articles a command reads.
#[derive(Debug, Args)]
pub struct Within {
    #[command(flatten)]
    dates: Dates,
    /// Only articles under this folder (as indexed; nested folders included)
    #[arg(long = "in", value_name = "FOLDER")]
    folder: Option<PathBuf>,
    /// Only articles by this author (the exact name, any case; repeat for any of several)
    #[arg(long = "author", value_name = "NAME", value_parser = name_arg)]
    authors: Vec<String>,
    /// Only articles from this source (the exact name, any case; repeat for any of several)
    #[arg(long = "source", value_name = "NAME", value_parser = name_arg)]
    sources: Vec<String>,
}

impl Within {
    /// The folder's key prefix (see `plan::folder_prefix`), the authors and the sources.
    fn scope(&self) -> plan::Scope {
        plan::Scope {
            folder: self.folder.as_deref().map(plan::folder_prefix),
            authors: self.authors.clone(),
            sources: self.sources.clone(),
        }
    }

    /// Whether a date, a folder, an author or a source narrows the articles read.
    fn restricts(&self) -> bool {
        self.dates.from.is_some() || self.dates.to.is_some() || self.scope().restricts()
    }

    /// How a search error is reported, the `--in` folder named as the user wrote it.
    fn failure(&self) -> impl Fn(SearchError) -> CommandError + '_ {
        failure_in(self.folder.as_deref())
    }
}

/// `--vs-query`, `--vs-from`, `--vs-to` and `--vs-in`: a reference selection to compare with,
/// as a query, `--from`, `--to` and `--in` select.
#[derive(Debug, Args)]
pub struct Versus {
    /// Compare with the articles matching this query
    #[arg(
        id = "vs_query",
        long = "vs-query",
        value_name = "QUERY",
        allow_hyphen_values = true
    )]
    query: Option<String>,
    /// Compare with articles from this date on (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(id = "vs_from", long = "vs-from", value_name = "DATE")]
    from: Option<String>,
    /// Compare with articles up to this date
    #[arg(id = "vs_to", long = "vs-to", value_name = "DATE")]
    to: Option<String>,
    /// Compare with the articles under this folder
    #[arg(id = "vs_in", long = "vs-in", value_name = "FOLDER")]
    folder: Option<PathBuf>,
}

/// The names of the `--vs-…` flags, for errors about them.
const VS_FLAG_NAMES: ArgNames = ArgNames {
    from: "--vs-from",
    to: "--vs-to",
    folder: "--vs-in",
    by: "--by",
    join: " ",
};

impl Versus {
    /// The reference selection; `None` when no `--vs-…` flag is given (the rest of the
    /// archive).
    fn selection(&self) -> Result<Option<Selection>, CommandError> {
        if self.query.is_none() && self.from.is_none() && self.to.is_none() && self.folder.is_none()
        {
            return Ok(None);
        }
        let range = DateRange::parse(self.from.as_deref(), self.to.as_deref())
            .map_err(|e| CommandError::from(anyhow::anyhow!(e.describe(&VS_FLAG_NAMES))))?;
        Ok(Some(Selection {
            query: self.query.clone().unwrap_or_default(),
            range,
            scope: plan::Scope::folder(self.folder.as_deref().map(plan::folder_prefix)),
        }))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index (or update the index of) folders of dated articles
    #[command(after_help = with_exit_status("index", concat!(
        "Folders are walked recursively. Read: .txt (dated articles), .jsonl and .ndjson (JSON\n",
        "Lines records) and .csv (records, a header row first), the extension in any case; other\n",
        "files are counted as ignored (-v lists them), hidden entries passed by.\n",
        "Unchanged files are skipped, edited ones re-indexed, deleted ones removed, in one commit;\n",
        "in a records file, only the records that changed are re-indexed.\n",
        "--forget PATH removes articles on request. --repair drops damaged segments and reads\n",
        "their articles again; a failed run (full disk) removes what it wrote.\n",
        "Files and records that fail to parse are reported on stderr as path:line: reason and\n",
        "skipped.\n\n",
        "Examples:\n",
        "  dateline index corpus/\n",
        "  dateline index news/ --map text=maintext,date=date_publish\n",
        "  dateline index papers/ --map file=texts/{id}.txt\n",
        "  dateline index --rebuild corpus/ more/articles/\n",
        "  dateline index --repair corpus/\n",
        "  dateline index --index /tmp/idx ~/archive/2016"
    )))]
    Index {
        /// Folders or files to index (default: corpus, unless --forget is given)
        paths: Vec<PathBuf>,
        /// Start from an empty index (the remedy when `meta.json` is damaged or gone)
        #[arg(long)]
        rebuild: bool,
        /// Drop the segments whose files are damaged and read their articles again from the
        /// corpus; articles whose files are gone are listed
        #[arg(long, conflicts_with = "rebuild")]
        repair: bool,
        /// Remove the articles of PATH (a file, or a folder and all below it) from the index,
        /// whether or not the files still exist
        #[arg(long, value_name = "PATH")]
        forget: Vec<PathBuf>,
        /// Indexing threads (default: the number of cores)
        #[arg(long, short = 'j')]
        threads: Option<usize>,
        /// How records files name their fields, ROLE=FIELD,... (roles: date, text, title,
        /// author, source, url, id, file; `file=texts/{id}.txt` builds a text file's path from
        /// the record). Remembered for the paths given; --map '' forgets it
        #[arg(long, value_name = "ROLE=FIELD,...", value_parser = parse_map)]
        map: Vec<Mapping>,
        /// List the files not read (not of an article format) on stderr
        #[arg(long, short = 'v')]
        verbose: bool,
    },
    /// Search the index: BM25-ranked articles with highlighted snippets
    #[command(after_help = with_exit_status("search", concat!(
        "Query language: free words (any may match; more matches rank higher), \"exact phrases\",\n",
        "+required, -excluded, AND, OR, NOT, parentheses; title:, author:\"exact name\" and\n",
        "source:\"exact name\" (any case). Words are case-folded and stemmed; a free word also\n",
        "matches titles, where it counts for more.\n",
        "DATE is YYYY, YYYY-MM or YYYY-MM-DD; both ends are inclusive.\n",
        "Plain output marks matches as [[word]]; on a terminal they are coloured.\n\n",
        "Examples:\n",
        "  dateline search \"aid convoys Aleppo\"\n",
        "  dateline search \"aid convoys Aleppo\" --from 2016-09 --to 2016-12-31\n",
        "  dateline search '\"peace brokers\" -Moscow' --sort newest --json\n",
        "  dateline search faction --snippets 3 --in corpus/federalist\n",
        "  dateline search faction --facet author --author \"james madison\""
    )))]
    Search {
        /// The query (it may start with `-`: `dateline search "-bus convoys"`)
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[command(flatten)]
        within: Within,
        /// How many hits to show
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
        /// How many hits to skip
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Order of the hits
        #[arg(long, value_enum, default_value_t = Sort::Relevance)]
        sort: Sort,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
        /// Show the N best-matching paragraphs of each hit, in paragraph order
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u16).range(1..=100))]
        snippets: u16,
        /// Print CSV (rank, date, path, score, paragraph, snippet) instead of text
        #[arg(long, conflicts_with_all = ["json", "explain", "trec_run"])]
        csv: bool,
        /// Print the hits as TREC run lines for query id QID (`QID Q0 name rank score dateline`,
        /// name = file name without .txt), for an outside relevance scorer
        #[arg(long, value_name = "QID", conflicts_with = "json")]
        trec_run: Option<String>,
        /// Show what makes up each hit's score: each word's BM25 and weight, the words feedback
        /// added, coordination, proximity and the lead
        #[arg(long, conflicts_with = "trec_run")]
        explain: bool,
        /// How free words are ranked: `bm25` (the engine's BM25 alone), `default`, or changes
        /// such as `feedback=off,lead=0.5` (`dateline search --ranking help` lists them)
        #[arg(long, value_name = "SPEC", default_value = "default", value_parser = parse_ranking,
              hide_default_value = true)]
        ranking: Ranking,
        /// Count the matching articles by author or source (every match, not the page); repeat
        /// for both
        #[arg(long, value_enum, value_name = "FIELD")]
        facet: Vec<Facet>,
        /// How many values of each facet to show, the largest
        #[arg(long, value_name = "N", default_value_t = search::FACET_LIMIT as u32,
              value_parser = clap::value_parser!(u32).range(1..))]
        facet_limit: u32,
    },
    /// Chart how many articles match each query per decade, year, month or day
    #[command(after_help = with_exit_status("timeline", concat!(
        "Each QUERY is one query in the language of `dateline search` (quote multi-word ones);\n",
        "two or more are drawn side by side on one scale, each with its own colour or mark;\n",
        "an empty query (\"\") counts every article.\n",
        "A bucket's count is the total `dateline search` gives between its first and last day;\n",
        "its articles are the articles in it under the same --from/--to/--in (what `search \"\"`\n",
        "counts), and a query's share is its count over them. --share draws the shares (one\n",
        "scale for all queries); --smooth N averages each bucket with N on either side.\n",
        "Without --from/--to the range runs from the first to the last date in the index (under\n",
        "--in, in that folder);\n",
        "without --by, the smallest bucket that gives at most 40 rows. Every bucket is shown,\n",
        "empty ones as 0. The chart fills COLUMNS characters (else the terminal's width, or 80).\n\n",
        "Examples:\n",
        "  dateline timeline railroad nuclear\n",
        "  dateline timeline slavery --by year --from 1850 --to 1870\n",
        "  dateline timeline '\"standing army\"' --in corpus/federalist --by month --json\n",
        "  dateline timeline tariff --split author --by decade\n",
        "  dateline timeline slavery union --share --smooth 1 --by decade\n",
        "  dateline timeline war --by year --csv > war.csv"
    )))]
    Timeline {
        /// The queries, one per argument (after `--` when one starts with `-`)
        #[arg(required = true)]
        queries: Vec<String>,
        /// Bucket size (default: the smallest giving at most 40 rows)
        #[arg(long, value_enum)]
        by: Option<By>,
        #[command(flatten)]
        within: Within,
        /// One series per author or source (the largest) for the one query, instead of one
        /// per query
        #[arg(long, value_enum, value_name = "FIELD")]
        split: Option<Facet>,
        /// How many series --split draws, the largest
        #[arg(long, value_name = "N", default_value_t = timeline::SPLIT_LIMIT as u32,
              value_parser = clap::value_parser!(u32).range(1..), requires = "split")]
        split_limit: u32,
        /// Draw each query's share of the bucket's articles instead of its count
        #[arg(long)]
        share: bool,
        /// Average each bucket with N on either side (the share with --share, else the count)
        #[arg(long, value_name = "N", default_value_t = 0,
              value_parser = clap::value_parser!(u16).range(0..=100))]
        smooth: u16,
        /// Print one JSON object instead of the chart
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV instead of the chart: a row per bucket, a count and a share column per
        /// query
        #[arg(long)]
        csv: bool,
    },
    /// Show every occurrence of a query's words or phrases in context, one line each
    #[command(after_help = with_exit_status("kwic", concat!(
        "One line per occurrence (not per article): the date, --width words either side with\n",
        "the match aligned in one column, the article's path and paragraph. QUERY is read as\n",
        "`dateline search` reads it: words are stemmed (`convoy` finds `convoys`), a quoted\n",
        "phrase is one occurrence, excluded words are not shown, and common words beside\n",
        "rarer ones are not shown (as search does not highlight them). The total number of\n",
        "occurrences closes the output.\n\n",
        "Examples:\n",
        "  dateline kwic convoys\n",
        "  dateline kwic '\"standing army\"' --in corpus/federalist --sort left\n",
        "  dateline kwic slavery --from 1850 --to 1870 -n 100 --csv > slavery.csv"
    )))]
    Kwic {
        /// The query (it may start with `-`)
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[command(flatten)]
        within: Within,
        /// Words shown on either side
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(0..=100))]
        width: u16,
        /// Order of the lines
        #[arg(long, value_enum, default_value_t = KwicSort::Date)]
        sort: KwicSort,
        /// How many lines to show
        #[arg(short = 'n', long, default_value_t = 40)]
        limit: usize,
        /// How many lines to skip
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Print one JSON object instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (date, path, paragraph, left, match, right) instead of text
        #[arg(long)]
        csv: bool,
    },
    /// List the words that set a selection apart from the rest of the archive (or another
    /// selection): log-likelihood G² with the Log Ratio beside it
    #[command(after_help = with_exit_status("keywords", concat!(
        "The selection is the articles QUERY matches (every article when it is not given) within\n",
        "--from/--to/--in; the reference is every other article, or the articles the --vs-query,\n",
        "--vs-from, --vs-to and --vs-in flags select. A word with a occurrences among c words of\n",
        "the selection and b among d of the reference scores the log-likelihood G2 (Rayson and\n",
        "Garside 2000, after Dunning 1993), signed negative where the selection uses it less;\n",
        "beside it the Log Ratio (Hardie 2014), log2((a/c)/(b/d)): 1 is twice as often, 2 four\n",
        "times. G2 above 3.84 is significant at p < 0.05, above 15.13 at p < 0.0001. Words are\n",
        "shown as written (the commonest spelling of each stem).\n\n",
        "Examples:\n",
        "  dateline keywords --from 1860 --to 1869\n",
        "  dateline keywords --in corpus/federalist --vs-in corpus/sotu -n 20\n",
        "  dateline keywords railroad --negative --json"
    )))]
    Keywords {
        /// Only articles matching this query (default: every article within the flags)
        #[arg(allow_hyphen_values = true)]
        query: Option<String>,
        #[command(flatten)]
        within: Within,
        #[command(flatten)]
        versus: Versus,
        /// List only words found at least N times in the selection (in the reference, with
        /// --negative)
        #[arg(long = "min", value_name = "N", default_value_t = 5)]
        min_freq: u64,
        /// How many words to list
        #[arg(short = 'n', long, default_value_t = 30)]
        limit: usize,
        /// List the most under-represented words instead
        #[arg(long)]
        negative: bool,
        /// Print one JSON object instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (word, selection, reference, g2, log_ratio) instead of text
        #[arg(long)]
        csv: bool,
    },
    /// List the words found near a word or phrase, scored by logDice, MI or log-likelihood
    #[command(after_help = with_exit_status("collocates", concat!(
        "WORD is a word or \"phrase\" as `dateline search` reads it (stemmed); the words within\n",
        "--window words either side of each occurrence, never across paragraphs, are counted\n",
        "(f_xy) and scored against the node's occurrences (f_x), the collocate's (f_y) and the\n",
        "words of the articles read (N), all within --from/--to/--in:\n",
        "  logdice  14 + log2(2 f_xy / (f_x + f_y))   (Rychly 2008; at most 14; the default)\n",
        "  mi       log2(f_xy N / (f_x f_y))          (Church and Hanks 1990)\n",
        "  ll       log-likelihood G2 of the 2x2 table (Dunning 1993)\n",
        "--by decade scores each decade on its own and prints a column per decade.\n\n",
        "Examples:\n",
        "  dateline collocates liberty\n",
        "  dateline collocates '\"standing army\"' --window 3 --measure ll\n",
        "  dateline collocates slavery --by decade --from 1830 --to 1879 -n 10"
    )))]
    Collocates {
        /// The word or phrase (the node)
        #[arg(allow_hyphen_values = true)]
        word: String,
        #[command(flatten)]
        within: Within,
        /// Words either side of the node
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
        window: u16,
        /// The score
        #[arg(long, value_enum, default_value_t = Measure::LogDice)]
        measure: Measure,
        /// List only collocates found at least N times near the node
        #[arg(long = "min", value_name = "N", default_value_t = 3)]
        min_cooccurrences: u64,
        /// How many collocates to list (per period)
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
        /// Score each period on its own: a column per decade, year, month or day
        #[arg(long, value_enum)]
        by: Option<By>,
        /// Print one JSON object instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (period, rank, word, cooccurrences, frequency, score) instead of text
        #[arg(long)]
        csv: bool,
    },
    /// Find the articles most like a given one, by its most significant words
    #[command(after_help = with_exit_status("similar", concat!(
        "PATH is an article as indexed (as search prints it) or any file in the dated format,\n",
        "read on the spot. Its words are weighed by how often it uses them and how rare they\n",
        "are in the index; the heaviest 25 make a ranked query. The article itself, and copies\n",
        "of it, never appear. Each hit shows the words it shares.\n\n",
        "Examples:\n",
        "  dateline similar corpus/federalist/federalist-10.txt -n 5\n",
        "  dateline similar draft.txt --from 1900 --in corpus/sotu --json"
    )))]
    Similar {
        /// The article
        path: PathBuf,
        /// How many articles to show
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        within: Within,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Serve a search page and a JSON API over HTTP (loopback by default)
    #[command(after_help = with_exit_status("serve", concat!(
        "GET /                    the search page (self-contained, works offline)\n",
        "GET /api/search?q=&from=&to=&sort=&limit=&offset=&snippets=&in=&author=&source=\n",
        "               &facet=&facet_limit=   as search --json (author, source, facet repeatable)\n",
        "GET /api/article?path=&q=   a stored article, the paragraphs q matches marked (404 when\n",
        "                         the path is not indexed)\n",
        "GET /api/stats           as stats --json\n",
        "GET /api/timeline?q=&q=&by=&from=&to=&in=&author=&source=&split=&split_limit=\n",
        "               &share=&smooth=   as timeline --json\n",
        "GET /api/kwic?q=&from=&to=&in=&author=&source=&width=&sort=&limit=&offset=\n",
        "                         as kwic --json\n",
        "GET /api/keywords?q=&from=&to=&in=&author=&source=&vs_q=&vs_from=&vs_to=&vs_in=\n",
        "               &min=&limit=&negative=   as keywords --json\n",
        "GET /api/similar?path=&n=&from=&to=&in=&author=&source=   as similar PATH --json\n",
        "                         for an indexed article (404 when the path is not indexed:\n",
        "                         no file is read from disk)\n\n",
        "A commit by `dateline index` is picked up without a restart. Ctrl-C stops the server.\n\n",
        "Examples:\n",
        "  dateline serve\n",
        "  dateline serve --addr 127.0.0.1:8080 --index /srv/archive/index"
    )))]
    Serve {
        /// Address to listen on; anything but loopback is reachable by others (a warning says so)
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: String,
        /// A request taking longer than this many milliseconds is answered 503 (0 cuts off
        /// every request: for testing clients)
        #[arg(long, value_name = "MS", default_value_t = 10_000)]
        timeout_ms: u64,
    },
    /// Write the corpus, read back from the index, for Quickwit or Elasticsearch to ingest
    #[command(after_help = with_exit_status("export", concat!(
        "Writes NDJSON data files, the engine's index configuration and a README.md with the\n",
        "commands that create the index and load the files.\n\n",
        "Examples:\n",
        "  dateline export --format quickwit --out export/quickwit\n",
        "  dateline export --format elasticsearch --out export/es --from 1900"
    )))]
    Export {
        /// The engine
        #[arg(long, value_enum)]
        format: export::Format,
        /// Output folder
        #[arg(long, value_name = "DIR", default_value = "export")]
        out: PathBuf,
        #[command(flatten)]
        dates: Dates,
    },
    /// Measure ranking quality against relevance judgments: nDCG@k, MAP, P@k, Recall@100, MRR
    #[command(after_help = with_exit_status("eval", concat!(
        "Each query (a line `qid<TAB>text`) is read as free text: its words, lower-cased, any of\n",
        "them may match; punctuation and operators count as nothing. The first --depth hits are\n",
        "scored against the judgments (TREC qrels: `qid 0 name grade`, name = file name without\n",
        ".txt) with trec_eval's definitions. Queries without a relevant document are skipped; a\n",
        "judged query with no hits scores 0. --run scores a TREC run file of any engine instead.\n\n",
        "Examples:\n",
        "  dateline eval --queries cranfield/queries.tsv --qrels cranfield/qrels.txt\n",
        "  dateline eval --queries q.tsv --qrels qrels.txt --per-query --run-out dateline.run\n",
        "  dateline eval --qrels qrels.txt --run other-engine.run --json"
    )))]
    Eval {
        /// Queries, one per line: qid<TAB>text
        #[arg(long, value_name = "FILE", required_unless_present = "run")]
        queries: Option<PathBuf>,
        /// Relevance judgments (TREC qrels)
        #[arg(long, value_name = "FILE")]
        qrels: PathBuf,
        /// Score this TREC run file (`qid Q0 name rank score tag`) instead of searching
        #[arg(long, value_name = "FILE", conflicts_with_all = ["queries", "run_out"])]
        run: Option<PathBuf>,
        /// Cutoff of nDCG and precision
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
        k: u16,
        /// Hits ranked per query (the depth of MAP)
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        depth: u32,
        /// Also give each query's measures
        #[arg(long)]
        per_query: bool,
        /// Write the rankings to FILE as a TREC run
        #[arg(long, value_name = "FILE")]
        run_out: Option<PathBuf>,
        /// How free words are ranked: `bm25` (the engine's BM25 alone), `default`, or changes
        /// such as `feedback=off,lead=0.5` (`dateline eval --ranking help` lists them)
        #[arg(long, value_name = "SPEC", default_value = "default", value_parser = parse_ranking,
              hide_default_value = true)]
        ranking: Ranking,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Show what the index holds: article count, date span, articles per decade, the largest
    /// folders, authors and sources, size
    #[command(after_help = with_exit_status("stats", concat!(
        "A short summary; --by-year adds the full table of articles per year (empty years as 0),\n",
        "--csv gives that table alone (year, articles), --json every figure.\n\n",
        "Examples:\n",
        "  dateline stats\n",
        "  dateline stats --by-year\n",
        "  dateline stats --json --index /tmp/idx"
    )))]
    Stats {
        /// Add the articles of every year, from the first to the last
        #[arg(long)]
        by_year: bool,
        /// Print JSON instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the articles per year as CSV (year, articles), every year of the span
        #[arg(long)]
        csv: bool,
    },
    /// Print a stored article, paragraphs numbered
    #[command(after_help = with_exit_status("show", concat!(
        "PATH is the article's path as indexed (as search prints it), relative or absolute.\n\n",
        "Examples:\n",
        "  dateline show corpus/2016-09-17-aleppo-aid-caravans.txt\n",
        "  dateline show corpus/2016-09-17-aleppo-aid-caravans.txt --json"
    )))]
    Show {
        /// The article's path
        path: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Verify the index: every file's checksum, every article reads back, one document per path
    #[command(after_help = with_exit_status("check", concat!(
        "Checks every index file against its checksum, reads every stored article back into the\n",
        "dated format and parses it again, and counts the documents of each path. Prints\n",
        "`ok: N articles checked`, or one problem per line (a damaged file named with its\n",
        "segment); `dateline index --repair CORPUS` mends damage, `--rebuild` when meta.json is.\n\n",
        "Examples:\n",
        "  dateline check\n",
        "  dateline check --json --index /tmp/idx"
    )))]
    Check {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print the completion script for a shell
    #[command(after_help = concat!(
        "Examples:\n",
        "  dateline completions bash > ~/.local/share/bash-completion/completions/dateline\n",
        "  dateline completions zsh > ~/.zfunc/_dateline\n",
        "  dateline completions fish > ~/.config/fish/completions/dateline.fish"
    ))]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = concat!(
        "Examples:\n",
        "  man -l <(dateline man)\n",
        "  dateline man | gzip > /usr/local/share/man/man1/dateline.1.gz"
    ))]
    Man,
}

/// How a command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: `search`, `timeline` or `similar` found nothing.
    NothingFound,
    /// Exit 1: `index` skipped some files; the rest was committed.
    FilesSkipped,
    /// Exit 1: `check` found a problem in the index.
    ProblemsFound,
}

impl Outcome {
    /// The exit status (see [`exit_statuses`]).
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::NothingFound | Outcome::FilesSkipped | Outcome::ProblemsFound => 1,
        }
    }
}

/// An error that ends a command (exit 2), with an optional hint line.
#[derive(Debug)]
pub struct CommandError {
    /// What went wrong.
    pub error: anyhow::Error,
    /// What to do about it.
    pub hint: Option<String>,
}

/// What exit status 1 means, for each command that can end with it. With [`EXIT_ERROR`], the
/// one source of the exit-status table that `--help`, the man page and the README show.
pub const EXIT_ONE: &[(&str, &str)] = &[
    ("search", "found nothing"),
    ("timeline", "found nothing"),
    ("kwic", "found nothing"),
    ("keywords", "found nothing"),
    ("collocates", "found nothing"),
    ("similar", "found nothing"),
    ("index", "skipped some files (the rest was committed)"),
    ("check", "found a problem in the index"),
];

/// What exit status 2 means, for every command.
pub const EXIT_ERROR: &str = "an error: a bad argument or date, no index, another index run holds the lock, a damaged \
     index, a full disk, …";

/// The exit-status table: each code and its meaning, commands named in `backticks`.
pub fn exit_statuses() -> Vec<(u8, String)> {
    // Commands with the same meaning are named together: "`search`, `timeline` or `similar`".
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for &(cmd, meaning) in EXIT_ONE {
        match groups.iter_mut().find(|(_, m)| *m == meaning) {
            Some((cmds, _)) => cmds.push(cmd),
            None => groups.push((vec![cmd], meaning)),
        }
    }
    let one = groups
        .iter()
        .map(|(cmds, meaning)| {
            let names: Vec<String> = cmds.iter().map(|c| format!("`{c}`")).collect();
            let named = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => names.join(""),
            };
            format!("{named} {meaning}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![(0, "success".into()), (1, one), (2, EXIT_ERROR.into())]
}

/// The exit-status table as the README writes it (Markdown).
pub fn exit_status_markdown() -> String {
    let mut s = String::from("| code | meaning |\n|---|---|\n");
    for (code, meaning) in exit_statuses() {
        s.push_str(&format!("| {code} | {meaning} |\n"));
    }
    s
}

/// The main `--help`'s closing text: examples and the exit-status table.
fn top_help() -> String {
    let mut s = String::from(concat!(
        "Examples:\n",
        "  dateline index corpus/\n",
        "  dateline search \"aid convoys Aleppo\" --from 2016-09 --to 2016-12-31\n",
        "  dateline search '\"peace brokers\"' --json\n",
        "  dateline timeline railroad nuclear\n",
        "  dateline similar corpus/federalist/federalist-10.txt -n 5\n\n",
        "Exit status:\n"
    ));
    for (code, meaning) in exit_statuses() {
        s.push_str(&format!("  {code}  {}\n", meaning.replace('`', "")));
    }
    s.truncate(s.trim_end().len());
    s
}

/// A command's closing text followed by its exit statuses, from the same table.
fn with_exit_status(command: &str, text: &str) -> String {
    let one = EXIT_ONE
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, meaning)| format!(", 1 {meaning}"))
        .unwrap_or_default();
    format!("{text}\n\nExit status: 0 success{one}, 2 error.")
}

/// The command line's names for the arguments a [`QueryError`] can be about.
pub const FLAG_NAMES: ArgNames = ArgNames {
    from: "--from",
    to: "--to",
    folder: "--in",
    by: "--by",
    join: " ",
};

impl<E: Into<anyhow::Error>> From<E> for CommandError {
    fn from(e: E) -> Self {
        let error: anyhow::Error = e.into();
        // The library states what is wrong; the command line names its own flags.
        let error = match error.downcast::<QueryError>() {
            Ok(q) => anyhow::anyhow!(q.describe(&FLAG_NAMES)),
            Err(error) => error,
        };
        CommandError { error, hint: None }
    }
}

/// `dateline COMMAND`, with `--index DIR` when the index the user named is not the one the
/// command would use without it (the `DATELINE_INDEX` variable's, else `./index`).
fn dateline_command(command: &str, index: &Path) -> String {
    let default = std::env::var_os("DATELINE_INDEX")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("./index"));
    if index == default {
        format!("dateline {command}")
    } else {
        let dir = shell_word(&index.display().to_string());
        format!("dateline {command} --index {dir}")
    }
}

/// `s` as one shell word: quoted when it holds anything but plain path characters.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+,:@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What to do about an index that could not be opened, naming the index the user gave.
fn open_hint(e: &OpenError, index: &Path) -> Option<String> {
    match e {
        OpenError::Missing(_) => Some(format!("run: {} corpus/", dateline_command("index", index))),
        OpenError::Version { .. } => Some(format!(
            "rebuild it: {} --rebuild PATH",
            dateline_command("index", index)
        )),
        OpenError::Locked(_) => Some("wait for it to finish, then run again".into()),
        OpenError::NotAnIndex(_) => Some("choose another folder with --index".into()),
        OpenError::Damaged(d) => Some(damage_hint(d, index)),
        OpenError::Other { .. } => None,
    }
}

/// What to do about a damaged index: `--repair` when it can mend it, else `--rebuild`.
fn damage_hint(d: &Damaged, index: &Path) -> String {
    if d.repairable() {
        format!(
            "repair it: {} --repair CORPUS…, naming the folders indexed (or --rebuild)",
            dateline_command("index", index)
        )
    } else {
        format!(
            "only a rebuild can restore it: {} --rebuild CORPUS…, naming the folders indexed",
            dateline_command("index", index)
        )
    }
}

/// What to do when the index could not be written.
fn write_hint(e: &WriteError, index: &Path) -> String {
    match e {
        WriteError::Full { .. } => "free some space, then run again".into(),
        WriteError::ReadOnly { .. } => {
            "make the folder writable, or index into another folder with --index".into()
        }
        WriteError::Vanished { .. } => format!(
            "run again to create it anew: {} CORPUS…",
            dateline_command("index", index)
        ),
    }
}

/// Whether an error came from the index's files (Tantivy, or the file system under it), so
/// that damage could be its cause.
fn from_index_files(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<tantivy::TantivyError>()
            || c.is::<tantivy::directory::error::OpenReadError>()
            || c.is::<io::Error>()
    }) || e.to_string().contains("corrupt")
}

/// The message of the last panic, recorded by the binary's panic hook (see `main.rs`) instead
/// of printed: a panic inside Tantivy on a damaged file becomes a one-line error.
pub static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Runs the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, CommandError> {
    let index = cli.index.clone();
    // `index` reads and checks the index itself; every other command that reads it is asked
    // about damage when it fails.
    let reads_index = !matches!(
        cli.command,
        Command::Index { .. } | Command::Completions { .. } | Command::Man
    );
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_command(cli, out)))
        .unwrap_or_else(|_| {
            let message = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_else(|| "a panic".into());
            Err(CommandError {
                error: anyhow::anyhow!("internal error: {message}"),
                hint: Some("please report it; dateline check looks for damage in the index".into()),
            })
        });
    outcome.map_err(|mut f| {
        let panicked = f.error.to_string().starts_with("internal error: ");
        if reads_index
            && f.error.downcast_ref::<OpenError>().is_none()
            && (panicked || from_index_files(&f.error))
            && let Some(d) = damage::diagnose(&index)
        {
            f = CommandError {
                hint: None,
                error: d.into(),
            };
        }
        if f.hint.is_none() {
            f.hint = if let Some(e) = f.error.downcast_ref::<OpenError>() {
                open_hint(e, &index)
            } else if let Some(d) = f.error.downcast_ref::<Damaged>() {
                Some(damage_hint(d, &index))
            } else if let Some(w) = f.error.downcast_ref::<WriteError>() {
                Some(write_hint(w, &index))
            } else {
                f.error
                    .downcast_ref::<export::Damaged>()
                    .map(|_| format!("run: {}", dateline_command("check", &index)))
            };
        }
        f
    })
}

fn run_command(cli: Cli, out: &mut dyn Write) -> Result<Outcome, CommandError> {
    let printer = Printer {
        color: render::use_color(
            cli.color,
            io::stdout().is_terminal(),
            render::no_color_env(),
        ),
    };
    match cli.command {
        Command::Index {
            mut paths,
            rebuild,
            repair,
            forget,
            threads,
            map,
            verbose,
        } => {
            if paths.is_empty() && forget.is_empty() {
                paths.push(PathBuf::from("corpus"));
            }
            let mut opts = writer::Options {
                rebuild,
                repair,
                forget,
                map: map.into_iter().reduce(|mut all, m| {
                    all.extend(&m);
                    all
                }),
                ..Default::default()
            };
            if let Some(t) = threads {
                opts.threads = t.clamp(1, 8);
            }
            let started = Instant::now();
            let bar = Bar::new();
            let report = writer::run(&cli.index, &paths, &opts, &bar)?;
            let stderr = io::stderr();
            let mut err = stderr.lock();
            for f in &report.skipped {
                printer.skipped_file(&mut err, f)?;
            }
            // Fields looked for by name and not found: the records may name them otherwise.
            if report
                .skipped
                .iter()
                .any(|f| f.line.is_some() && f.reason.contains("(looked for "))
            {
                writeln!(
                    err,
                    "hint: when records name their fields otherwise, give the names with --map \
                     ROLE=FIELD,... (see dateline index --help)"
                )?;
            }
            if verbose {
                for path in &report.ignored {
                    writeln!(err, "{path}: ignored: not an article format")?;
                }
            }
            repair_notes(&mut err, &report.repair)?;
            printer.index_summary(out, &report, started.elapsed().as_secs_f64())?;
            Ok(if report.skipped.is_empty() {
                Outcome::Success
            } else {
                Outcome::FilesSkipped
            })
        }
        Command::Search {
            query,
            within,
            limit,
            offset,
            sort,
            json,
            snippets,
            trec_run,
            ranking,
            explain,
            facet,
            facet_limit,
            csv,
        } => {
            let range = within.dates.range()?;
            // No words and nothing to list by: every article, in no order worth the name.
            if query.trim().is_empty() && !within.restricts() && sort == Sort::Relevance {
                return Err(CommandError {
                    error: anyhow::anyhow!("the query is empty"),
                    hint: Some(format!(
                        "give words to search for, or list articles by date with --from, --to, \
                         --in or --sort oldest; {} shows what the index holds",
                        dateline_command("stats", &cli.index),
                    )),
                });
            }
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = Request {
                text: query,
                range,
                sort,
                limit,
                offset,
                snippets: snippets.into(),
                scope: within.scope(),
                ranking,
                explain,
                facets: facet,
                facet_limit: facet_limit as usize,
                ..Default::default()
            };
            let failure = within.failure();
            if let Some(qid) = trec_run {
                let (total, hits) = search::ranking(store, &req).map_err(failure)?;
                for (i, (score, key)) in hits.iter().enumerate() {
                    let name = eval::docname(key);
                    writeln!(out, "{qid} Q0 {name} {} {score} dateline", offset + i + 1)?;
                }
                return Ok(if total == 0 {
                    Outcome::NothingFound
                } else {
                    Outcome::Success
                });
            }
            let mut results = search::run(store, &req).map_err(failure)?;
            results.show_paths(corpus::display_key);
            for w in &results.warnings {
                eprintln!("warning: {w}");
            }
            for n in &results.notes {
                eprintln!("note: {n}");
            }
            if let Some(s) = &results.suggestion {
                eprintln!("did you mean: {s}");
            }
            if json {
                render::json(out, &results)?;
            } else if csv {
                tables::search(out, &results, offset)?;
            } else {
                printer.results(out, &results, offset)?;
            }
            Ok(if results.total == 0 {
                Outcome::NothingFound
            } else {
                Outcome::Success
            })
        }
        Command::Timeline {
            queries,
            by,
            within,
            split,
            split_limit,
            share,
            smooth,
            json,
            csv,
        } => {
            let range = within.dates.range()?;
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = timeline::Request {
                queries,
                by,
                range,
                scope: within.scope(),
                split: split.map(|f| (f, split_limit as usize)),
                smooth: smooth.into(),
                share,
            };
            let t = timeline::run(store, &req).map_err(within.failure())?;
            for w in &t.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                render::json(out, &t)?;
            } else if csv {
                tables::timeline(out, &t)?;
            } else {
                printer.timeline(out, &t, chart_width())?;
            }
            Ok(if t.totals.iter().any(|&n| n > 0) {
                Outcome::Success
            } else {
                Outcome::NothingFound
            })
        }
        Command::Kwic {
            query,
            within,
            width,
            sort,
            limit,
            offset,
            json,
            csv,
        } => {
            let range = within.dates.range()?;
            if query.trim().is_empty() {
                return Err(CommandError {
                    error: anyhow::anyhow!("the query is empty"),
                    hint: Some("give the words or \"phrases\" to show in context".into()),
                });
            }
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = kwic::Request {
                selection: Selection {
                    query,
                    range,
                    scope: within.scope(),
                },
                width: width.into(),
                sort,
                limit,
                offset,
            };
            // In the terminal the page is printed as soon as it is known, and the total after
            // it, once every matching article is counted.
            let stream = !json && !csv;
            let mut failed_to_write = None;
            let run = kwic::run_streaming(store, &req, |lines| {
                if !stream {
                    return Ok(());
                }
                let mut shown = lines.to_vec();
                for l in &mut shown {
                    l.path = corpus::display_key(&l.path);
                }
                let written = printer.kwic_lines(out, &shown).and_then(|()| out.flush());
                written.map_err(|e| {
                    let stop = anyhow::anyhow!("{e}");
                    failed_to_write = Some(e);
                    stop.into()
                })
            });
            if let Some(e) = failed_to_write {
                return Err(e.into());
            }
            let mut k = run.map_err(within.failure())?;
            k.show_paths(corpus::display_key);
            for w in &k.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                render::json(out, &k)?;
            } else if csv {
                tables::kwic(out, &k)?;
            } else {
                printer.kwic_total(out, &k)?;
            }
            Ok(if k.total == 0 {
                Outcome::NothingFound
            } else {
                Outcome::Success
            })
        }
        Command::Keywords {
            query,
            within,
            versus,
            min_freq,
            limit,
            negative,
            json,
            csv,
        } => {
            let range = within.dates.range()?;
            let reference = versus.selection()?;
            let selection = Selection {
                query: query.unwrap_or_default(),
                range,
                scope: within.scope(),
            };
            if !selection.restricts() && reference.is_none() {
                return Err(CommandError {
                    error: anyhow::anyhow!(
                        "nothing selected: the selection would be every article"
                    ),
                    hint: Some(
                        "give a query, --from, --to or --in (and --vs-… flags for what to \
                         compare with, else the rest of the archive)"
                            .into(),
                    ),
                });
            }
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = keywords::Request {
                selection,
                reference,
                min_freq,
                limit,
                negative,
            };
            if let (Some(r), Some(given)) = (&req.reference, &versus.folder) {
                let prefix = r.scope.folder.as_deref().unwrap_or_default();
                let searcher = store.reader()?.searcher();
                if !store::holds_prefix(&searcher, prefix)? {
                    let e = QueryError::EmptyFolder(given.display().to_string());
                    return Err(CommandError::from(anyhow::anyhow!(
                        e.describe(&VS_FLAG_NAMES)
                    )));
                }
            }
            let k = keywords::run(store, &req).map_err(within.failure())?;
            if json {
                render::json(out, &k)?;
            } else if csv {
                tables::keywords(out, &k)?;
            } else {
                printer.keywords(out, &k)?;
            }
            Ok(if k.keywords.is_empty() {
                Outcome::NothingFound
            } else {
                Outcome::Success
            })
        }
        Command::Collocates {
            word,
            within,
            window,
            measure,
            min_cooccurrences,
            limit,
            by,
            json,
            csv,
        } => {
            let range = within.dates.range()?;
            if word.trim().is_empty() {
                return Err(CommandError {
                    error: anyhow::anyhow!("the word is empty"),
                    hint: Some("give the word or \"phrase\" whose company to list".into()),
                });
            }
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = collocates::Request {
                selection: Selection {
                    query: word,
                    range,
                    scope: within.scope(),
                },
                window: window.into(),
                measure,
                min_cooccurrences,
                limit,
                by,
            };
            let c = collocates::run(store, &req).map_err(within.failure())?;
            for w in &c.warnings {
                eprintln!("warning: {w}");
            }
            if json {
                render::json(out, &c)?;
            } else if csv {
                tables::collocates(out, &c)?;
            } else {
                printer.collocates(out, &c)?;
            }
            Ok(if c.periods.iter().all(|p| p.collocates.is_empty()) {
                Outcome::NothingFound
            } else {
                Outcome::Success
            })
        }
        Command::Similar {
            path,
            limit,
            within,
            json,
        } => {
            let range = within.dates.range()?;
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let req = similar::Request {
                path,
                limit,
                range,
                scope: within.scope(),
                snippet_chars: search::Request::default().snippet_chars,
            };
            let mut s = similar::run(store, &req).map_err(within.failure())?;
            s.show_paths(corpus::display_key);
            if json {
                render::json(out, &s)?;
            } else {
                printer.similar(out, &s)?;
            }
            Ok(if s.hits.is_empty() {
                Outcome::NothingFound
            } else {
                Outcome::Success
            })
        }
        Command::Serve { addr, timeout_ms } => {
            let opts = serve::Options {
                addr,
                timeout: std::time::Duration::from_millis(timeout_ms),
            };
            serve::run(&cli.index, &opts)?;
            Ok(Outcome::Success)
        }
        Command::Export {
            format,
            out: dir,
            dates,
        } => {
            let range = dates.range()?;
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let opts = export::Options {
                format,
                out: dir.clone(),
                range,
            };
            let report = export::run(store, &opts)?;
            writeln!(
                out,
                "exported {} articles to {} in {} files ({}); see {}",
                report.articles,
                dir.display(),
                report.files.len(),
                render::human_bytes(report.bytes),
                dir.join("README.md").display()
            )?;
            Ok(Outcome::Success)
        }
        Command::Eval {
            queries,
            qrels,
            run,
            k,
            depth,
            per_query,
            run_out,
            json,
            ranking,
        } => {
            let judged = eval::read_qrels(&qrels)?;
            let ranked = match (run, queries) {
                (Some(file), _) => eval::read_run(&file)?,
                (None, Some(file)) => {
                    let topics = eval::read_topics(&file)?;
                    let opened = open_for_reading(&cli.index)?;
                    let store: &store::Store = &opened;
                    let ranked = eval::run_topics(store, &topics, depth as usize, &ranking)?;
                    if let Some(path) = run_out {
                        let mut w =
                            io::BufWriter::new(std::fs::File::create(&path).map_err(|e| {
                                anyhow::anyhow!("cannot write {}: {e}", path.display())
                            })?);
                        for (qid, docs) in &ranked.0 {
                            eval::write_run(&mut w, qid, docs, "dateline")?;
                        }
                        w.flush()?;
                    }
                    ranked
                }
                (None, None) => unreachable!("clap requires --queries or --run"),
            };
            let report = eval::evaluate(&ranked, &judged, k as usize);
            if json {
                render::json(out, &report.to_json(per_query))?;
            } else {
                report.write_table(out, per_query)?;
            }
            Ok(Outcome::Success)
        }
        Command::Stats { by_year, json, csv } => {
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let mut s = stats::collect(store)?;
            s.show_names(corpus::display_key);
            if json {
                render::json(out, &s)?;
            } else if csv {
                tables::stats(out, &s)?;
            } else {
                printer.stats(out, &s, by_year)?;
            }
            Ok(Outcome::Success)
        }
        Command::Show { path, json } => {
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let key = corpus::key_as_named(&path);
            let Some(mut article) = search::article(store, &key)? else {
                return Err(CommandError {
                    error: anyhow::anyhow!(
                        "{} is not in the index at {}",
                        corpus::display_key(&key),
                        cli.index.display()
                    ),
                    hint: Some(format!(
                        "index it first: {} PATH",
                        dateline_command("index", &cli.index)
                    )),
                });
            };
            article.path = corpus::display_key(&article.path);
            if json {
                render::json(out, &article)?;
            } else {
                printer.article(out, &article)?;
            }
            Ok(Outcome::Success)
        }
        Command::Check { json } => {
            let opened = open_for_reading(&cli.index)?;
            let store: &store::Store = &opened;
            let report = check::run(store)?;
            if json {
                render::json(out, &report)?;
            } else {
                printer.check(out, &report)?;
            }
            if !report.damaged.is_empty() {
                let d = Damaged {
                    dir: cli.index.clone(),
                    files: report.damaged.clone(),
                };
                eprintln!("hint: {}", damage_hint(&d, &cli.index));
            }
            Ok(if report.problems.is_empty() {
                Outcome::Success
            } else {
                Outcome::ProblemsFound
            })
        }
        Command::Completions { shell } => {
            manual::completions(shell, out)?;
            Ok(Outcome::Success)
        }
        Command::Man => {
            manual::man(out)?;
            Ok(Outcome::Success)
        }
    }
}

/// What `--repair` did, on standard error: the damaged files and their segments dropped, the
/// articles read again, those lost.
fn repair_notes(err: &mut dyn Write, r: &writer::Repair) -> io::Result<()> {
    if r.rewrote_file_list {
        writeln!(
            err,
            "repaired: .managed.json (Tantivy's list of its files) written anew"
        )?;
    }
    for d in &r.damaged {
        writeln!(err, "repaired: dropped {d}")?;
    }
    if !r.damaged.is_empty() {
        writeln!(
            err,
            "repaired: {} articles of the dropped segments read again from their files",
            r.reread
        )?;
    }
    for key in &r.lost {
        writeln!(
            err,
            "lost: {} (its only copy was in a damaged segment and its file is gone)",
            corpus::display_key(key)
        )?;
    }
    if r.unnamed > 0 {
        writeln!(
            err,
            "note: {} articles of the dropped segments could not be named; those under the \
             paths given were read again with the rest, any others are no longer indexed",
            r.unnamed
        )?;
    }
    Ok(())
}

fn search_failure(e: SearchError) -> CommandError {
    match e {
        SearchError::Query(q) => CommandError::from(q),
        SearchError::Index(e) => CommandError::from(e),
    }
}

/// [`search_failure`], naming the `--in` folder as the user wrote it.
fn failure_in(folder: Option<&std::path::Path>) -> impl Fn(SearchError) -> CommandError + '_ {
    move |e| match (e, folder) {
        (SearchError::Query(QueryError::EmptyFolder(_)), Some(given)) => {
            CommandError::from(QueryError::EmptyFolder(given.display().to_string()))
        }
        (e, _) => search_failure(e),
    }
}

/// The width a chart fills: `COLUMNS` when set to a number, else the terminal's width when
/// stdout is one, else 80.
fn chart_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or_else(|| {
            io::stdout()
                .is_terminal()
                .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                .flatten()
        })
        .unwrap_or(80)
}

/// A progress bar on stderr, drawn only when stderr is a terminal: files done of all, then the
/// rate in whole articles per second and the time left, once there is a measured rate.
struct Bar {
    bar: Option<ProgressBar>,
    /// When reading began ([`Progress::start`]): the walk before it is not in the rate.
    started: Arc<OnceLock<Instant>>,
}

impl Bar {
    fn new() -> Bar {
        let started = Arc::new(OnceLock::new());
        if !io::stderr().is_terminal() {
            return Bar { bar: None, started };
        }
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let since = started.clone();
        pb.set_style(
            ProgressStyle::with_template("{spinner} indexing [{wide_bar}] {pos}/{len} files{rate}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .with_key(
                    "rate",
                    move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let elapsed = since.get().map(Instant::elapsed).unwrap_or_default();
                        let text = rate_and_eta(state.pos(), state.len().unwrap_or(0), elapsed);
                        let _ = w.write_str(&text);
                    },
                )
                .progress_chars("=> "),
        );
        Bar {
            bar: Some(pb),
            started,
        }
    }
}

/// How long the rate must be measured before it is shown.
const MEASURED_AFTER: Duration = Duration::from_secs(1);

/// `", 56,522 articles/s, eta 3s"`: `done` of `total` articles read in `elapsed`, the rate in
/// whole articles per second and the time left at that rate; nothing until the rate has been
/// measured for [`MEASURED_AFTER`] over at least one article.
fn rate_and_eta(done: u64, total: u64, elapsed: Duration) -> String {
    if elapsed < MEASURED_AFTER || done == 0 {
        return String::new();
    }
    let rate = done as f64 / elapsed.as_secs_f64();
    let left = total.saturating_sub(done);
    let eta = (left as f64 / rate).ceil() as u64;
    format!(
        ", {} articles/s, eta {}",
        thousands(rate.round() as u64),
        short_duration(eta)
    )
}

/// `56522` → `56,522`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `7s`, `3m 05s`, `1h 02m`.
fn short_duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        let _ = self.started.set(Instant::now());
        if let Some(pb) = &self.bar {
            pb.set_length(total);
        }
    }
    fn advance(&self) {
        if let Some(pb) = &self.bar {
            pb.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

/// Reads `--map`.
fn parse_map(spec: &str) -> Result<Mapping, String> {
    Mapping::parse(spec)
}

/// Reads an `--author` or `--source` name: any text but a blank one.
fn name_arg(name: &str) -> Result<String, String> {
    if name.trim().is_empty() {
        Err("a name is needed (exact, in any case)".into())
    } else {
        Ok(name.to_string())
    }
}

/// Reads `--ranking`; `help` lists the settings.
fn parse_ranking(spec: &str) -> Result<Ranking, String> {
    if spec == "help" {
        let lines: Vec<String> = crate::search::rank::RANKING_NAMES
            .iter()
            .map(|(name, what)| format!("  {name:<22} {what}"))
            .collect();
        return Err(format!("the settings:\n{}", lines.join("\n")));
    }
    Ranking::parse(spec)
}

/// Whether the indexes that commands open for reading stay open until the process exits. The
/// `dateline` binary sets it (one command a process); a program that runs many commands in
/// one process through [`run`] leaves it unset, and each index is closed after its command.
pub static KEEP_INDEX_OPEN: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// An index opened for one command.
enum Reading {
    /// Never closed: see [`open_for_reading`].
    Kept(&'static store::Store),
    /// Closed when dropped.
    Owned(Box<store::Store>),
}

impl std::ops::Deref for Reading {
    type Target = store::Store;
    fn deref(&self) -> &store::Store {
        match self {
            Reading::Kept(s) => s,
            Reading::Owned(s) => s,
        }
    }
}

/// Opens the index for a command that reads it. In the `dateline` binary
/// ([`KEEP_INDEX_OPEN`]) it is never closed: the store, its reader and the files it maps stay
/// until the process exits, when the kernel takes the whole address space down at once.
/// Closing it first unmaps each file of each segment, one system call and (with the search
/// threads started) one TLB shootdown across the cores each: at a million articles that was a
/// tenth of a short search's CPU time. ripgrep skips its teardown the same way. `serve` and
/// `index` close what they open.
fn open_for_reading(dir: &Path) -> Result<Reading, store::OpenError> {
    let store = store::open(dir)?;
    Ok(
        if KEEP_INDEX_OPEN.load(std::sync::atomic::Ordering::Relaxed) {
            Reading::Kept(Box::leak(Box::new(store)))
        } else {
            Reading::Owned(Box::new(store))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn progress_shows_whole_articles_per_second_and_an_eta_only_once_measured() {
        // Nothing measured yet: no rate, no eta (indicatif said "eta 10m" here).
        assert_eq!(rate_and_eta(0, 382, Duration::from_millis(10)), "");
        assert_eq!(rate_and_eta(300, 382, Duration::from_millis(500)), "");
        assert_eq!(rate_and_eta(0, 382, Duration::from_secs(3)), "");
        // Whole articles per second, with thousands separated (was "56,522.408/s").
        assert_eq!(
            rate_and_eta(56_522, 1_000_000, Duration::from_secs(1)),
            ", 56,522 articles/s, eta 17s"
        );
        assert_eq!(
            rate_and_eta(1_000, 1_000_000, Duration::from_secs(2)),
            ", 500 articles/s, eta 33m 18s"
        );
        assert_eq!(
            rate_and_eta(10, 1_000_000, Duration::from_secs(1)),
            ", 10 articles/s, eta 27h 46m"
        );
        assert_eq!(
            rate_and_eta(382, 382, Duration::from_secs(1)),
            ", 382 articles/s, eta 0s"
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
