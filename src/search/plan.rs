//! The query plan: the user's text read once, by tantivy's own grammar, into a syntax tree;
//! the repairs and limits applied; the Tantivy query built from the tree; and what ranking,
//! coordination, highlighting and did-you-mean need recorded beside it, so that no later step
//! reads a compiled query back. Dates are in `dates`.

use crate::index::schema::{self, Fields};
use crate::index::store::Store;
use crate::search::dates::{DateProblem, End};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Explanation,
    Occur, Query, QueryParser, RangeQuery, Scorer, Weight,
};
use tantivy::query_grammar::{
    Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Field, Term};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader};

pub use crate::search::dates::{DateRange, QueryError, parse_partial_date};

/// Queries longer than this are refused: no real query needs it, and tantivy's lenient parser
/// has hung on crafted long input (tantivy#3032).
pub const MAX_QUERY_BYTES: usize = 4096;

/// Parentheses may nest this deep: tantivy's parsers recurse once per level, and a few thousand
/// levels overflow the stack.
pub const MAX_NESTING: usize = 100;

/// Below this many articles, no word is common for being in most of them (see
/// [`Plan::is_common`]): in a handful of articles that says nothing.
pub const COMMON_MIN_ARTICLES: u64 = 10;

/// A query understood once: the Tantivy query built from the syntax tree, and everything the
/// later steps (ranking, coordination, highlighting, did-you-mean) need to know of its shape,
/// read from the tree rather than from the compiled query.
pub struct Plan {
    /// The text query alone, or `None` when the text was empty (match everything).
    pub text: Option<Box<dyn Query>>,
    /// What to execute: the text query and the filter.
    pub full: Box<dyn Query>,
    /// The date range (the flags' and the query's `date:` clauses) and the folder, scoring
    /// nothing; `None` when nothing restricts.
    pub filter: Option<Box<dyn Query>>,
    /// The text's top-level clauses that score (excluded ones left out), when the text is a
    /// boolean query of several: what coordination counts.
    pub clauses: Vec<Box<dyn Query>>,
    /// For a query of free words only: each word's term and how often the text gives it.
    pub bag: Option<Bag>,
    /// What an article matching the query holds, to highlight: single words and exact
    /// phrases (indexed forms), excluded clauses left out.
    pub marks: Marks,
    /// The indexed forms of the query's plain words (no field, not excluded): what
    /// did-you-mean may respell.
    pub respellable: Vec<String>,
    /// Problems the lenient reading worked around, for a warning.
    pub warnings: Vec<String>,
    /// Each body term's document frequency, looked up once (see [`Plan::weigh`]).
    frequencies: HashMap<Term, u64>,
    /// The number of articles in the searcher the frequencies come from.
    num_docs: u64,
    /// How free words are ranked (the default unless the request says otherwise).
    pub ranking: crate::search::rank::Ranking,
    /// The title field, when the index holds titles: free words match them too.
    pub titles: Option<Field>,
}

/// The words of a query of free words.
#[derive(Debug, Clone)]
pub struct Bag {
    /// Each distinct word's term and how often the text gives it.
    pub terms: Vec<(Term, f32)>,
    /// The words in the order of the text, repeats kept.
    pub sequence: Vec<Term>,
}

/// What a query asks to highlight: single words and exact phrases, in indexed form.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Marks {
    /// Words on their own, each once, in query order.
    pub singles: Vec<String>,
    /// Exact phrases (two words or more, no slop), each a list of words in order.
    pub phrases: Vec<Vec<String>>,
}

impl Plan {
    /// Looks up, once, the document frequency of every body word the plan names (the bag's,
    /// the marks' and the respellable words); later steps read them with [`Plan::doc_freq`].
    pub fn weigh(&mut self, searcher: &Searcher, body: Field) -> tantivy::Result<()> {
        self.num_docs = searcher.num_docs();
        let mut words: Vec<Term> = Vec::new();
        if let Some(bag) = &self.bag {
            words.extend(bag.terms.iter().map(|(t, _)| t.clone()));
        }
        let texts = self
            .marks
            .singles
            .iter()
            .chain(self.marks.phrases.iter().flatten())
            .chain(&self.respellable);
        words.extend(texts.map(|w| Term::from_field_text(body, w)));
        for term in words {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.frequencies.entry(term) {
                let df = searcher.doc_freq(slot.key())?;
                slot.insert(df);
            }
        }
        // Common words are not highlighted beside rarer ones: in a question, `the` and `and`
        // would be marked all over every snippet. Alone, they are what was asked for.
        let common = |w: &String| self.is_common(&Term::from_field_text(body, w));
        let rarer = self.marks.singles.iter().any(|w| !common(w)) || !self.marks.phrases.is_empty();
        if rarer {
            let kept = self
                .marks
                .singles
                .iter()
                .filter(|w| !common(w))
                .cloned()
                .collect();
            self.marks.singles = kept;
        }
        Ok(())
    }

    /// Whether a body term (weighed by [`Plan::weigh`]) is a common word: one of the twelve
    /// commonest words of English (`grams`), or in more than nine articles in ten of an index
    /// of at least [`COMMON_MIN_ARTICLES`].
    pub fn is_common(&self, term: &Term) -> bool {
        let by_name = term
            .value()
            .as_str()
            .is_some_and(crate::index::grams::is_common);
        let df = self.frequency(term);
        by_name || (self.num_docs >= COMMON_MIN_ARTICLES && df * 10 > self.num_docs * 9)
    }

    /// Whether the plan is a query of two free words or more, all common (see
    /// [`Plan::is_common`]) and one at least among the commonest of English (`grams`): every
    /// article, or nearly, holds them, and their BM25 weights are near zero. (Two words found
    /// in every article of a small collection on one subject are not such a query.)
    pub fn only_common_words(&self) -> bool {
        self.bag.as_ref().is_some_and(|bag| {
            bag.terms.len() >= 2
                && bag.terms.iter().all(|(t, _)| self.is_common(t))
                && bag.terms.iter().any(|(t, _)| {
                    t.value()
                        .as_str()
                        .is_some_and(crate::index::grams::is_common)
                })
        })
    }

    /// A body term's document frequency: from [`Plan::weigh`] when the plan names the term,
    /// else looked up.
    pub fn doc_freq(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
        match self.frequencies.get(term) {
            Some(df) => Ok(*df),
            None => searcher.doc_freq(term),
        }
    }

    /// A body term's document frequency as [`Plan::weigh`] found it (0 for a term the plan
    /// does not name).
    pub fn frequency(&self, term: &Term) -> u64 {
        self.frequencies.get(term).copied().unwrap_or(0)
    }

    /// The number of articles the frequencies were counted in.
    pub fn num_docs(&self) -> u64 {
        self.num_docs
    }
}

/// Parses the query language: free words (any may match; more matches rank higher),
/// `"exact phrases"`, `+required`, `-excluded`, `AND`/`OR`/`NOT`, parentheses, `path:`,
/// `title:`, `author:`/`source:` (exact names, any case) and `date:` (which takes the dates
/// `--from`/`--to` take, and always narrows). Free words match the title too, when the index
/// holds titles. A query the strict
/// grammar rejects is mended, or read leniently, with a warning, rather than refused.
pub fn parse(store: &Store, text: &str, range: &DateRange) -> Result<Plan, QueryError> {
    parse_within(store, text, range, &Scope::default())
}

/// [`parse`], restricted to the articles of a [`Scope`] (a folder, authors, sources).
pub fn parse_within(
    store: &Store,
    text: &str,
    range: &DateRange,
    scope: &Scope,
) -> Result<Plan, QueryError> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong {
            len: text.len(),
            limit: MAX_QUERY_BYTES,
        });
    }
    let depth = nesting(text);
    if depth > MAX_NESTING {
        return Err(QueryError::TooDeep {
            depth,
            limit: MAX_NESTING,
        });
    }
    let titles = store.holds_titles().then_some(store.fields.title);
    let parser = store.parser(titles.is_some());
    let f = store.fields;
    let text = absolute_paths(text);
    let mut warnings = Vec::new();
    let tree = if text.trim().is_empty() {
        None
    } else {
        let strict = match unknown_field(&text) {
            Some(field) => Err(Misread::UnknownField(
                field.trim_start_matches(['+', '-', '(']).to_string(),
            )),
            None => read(parser, f, &text, Strictness::Strict),
        };
        match strict {
            Ok(tree) => Some(tree),
            Err(Misread::Refused(e)) => return Err(e),
            Err(strict) => {
                let repaired = repair(&text);
                match read(parser, f, &repaired, Strictness::Strict) {
                    Ok(tree) if !repaired.trim().is_empty() => {
                        warnings.push(format!("{strict}; searched for: {}", repaired.trim()));
                        Some(tree)
                    }
                    _ => {
                        let tree = read(parser, f, &text, Strictness::Lenient)
                            .unwrap_or_else(|_| Tree::empty());
                        warnings.push(format!("{strict}; read it leniently"));
                        Some(tree)
                    }
                }
            }
        }
    };
    let (text_query, clauses, bag, marks, respellable, dates, negated_dates) = match tree {
        None => (
            None,
            Vec::new(),
            None,
            Marks::default(),
            Vec::new(),
            None,
            Vec::new(),
        ),
        Some(tree) => {
            if tree.only_excludes {
                warnings.push(
                    "the query only excludes words; searched every article without them"
                        .to_string(),
                );
            }
            let bag = tree.bag(&text, f.body);
            (
                tree.query,
                tree.clauses,
                bag,
                tree.marks,
                tree.respellable,
                Some(tree.dates),
                tree.negated_dates,
            )
        }
    };
    let range = match dates {
        Some(Some(dates)) => range.intersect(&dates),
        Some(None) => None,
        None => Some(*range),
    };
    let filter = match range {
        Some(range) => filter_excluding(f, &range, scope, &negated_dates),
        // The query's dates and the flags' do not meet.
        None => Some(Box::new(EmptyQuery) as Box<dyn Query>),
    };
    let full: Box<dyn Query> = match (&text_query, &filter) {
        (Some(q), None) => q.box_clone(),
        (Some(q), Some(filter)) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, q.box_clone()),
            (Occur::Must, filter.box_clone()),
        ])),
        (None, None) => Box::new(AllQuery),
        (None, Some(filter)) => filter.box_clone(),
    };
    Ok(Plan {
        text: text_query,
        full,
        filter,
        clauses,
        bag,
        marks,
        respellable,
        warnings,
        frequencies: HashMap::new(),
        num_docs: 0,
        ranking: crate::search::rank::Ranking::default(),
        titles,
    })
}

/// Why a reading of the text failed.
enum Misread {
    /// The grammar does not read it.
    Syntax,
    /// A `field:` that names no field.
    UnknownField(String),
    /// Tantivy could not build a clause (the message, in our words where we know it).
    Build(String),
    /// A mistake no reading mends (a `date:` value that is no date): refused.
    Refused(QueryError),
}

impl std::fmt::Display for Misread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misread::Syntax => {
                f.write_str("syntax error: an unclosed quote or parenthesis, or a lone operator")
            }
            Misread::UnknownField(name) => write!(f, "no field named {name:?}"),
            Misread::Build(message) => f.write_str(message),
            Misread::Refused(e) => write!(f, "{e}"),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Every clause must be read; the tree is simplified as tantivy's strict parser does.
    Strict,
    /// What cannot be read is dropped.
    Lenient,
}

/// The text query built from the syntax tree, with what was learnt on the way.
struct Tree {
    /// `None` when the text held nothing but `date:` clauses.
    query: Option<Box<dyn Query>>,
    /// The compiled top-level scoring clauses, when the query is a boolean of several.
    clauses: Vec<Box<dyn Query>>,
    /// The top level's shape, for the bag: each clause's occurrence and, for a single body
    /// word, its term.
    top: Vec<(Occur, Option<Term>)>,
    marks: Marks,
    respellable: Vec<String>,
    /// The top level's `date:` clauses, intersected.
    dates: Option<DateRange>,
    /// The top level's excluded `date:` clauses.
    negated_dates: Vec<DateRange>,
    /// Every clause excluded: read as every article but those.
    only_excludes: bool,
}

impl Tree {
    fn empty() -> Tree {
        Tree {
            query: Some(Box::new(EmptyQuery)),
            clauses: Vec::new(),
            top: Vec::new(),
            marks: Marks::default(),
            respellable: Vec::new(),
            dates: Some(DateRange::default()),
            negated_dates: Vec::new(),
            only_excludes: false,
        }
    }

    /// The bag of a query of free words: a single body word, or optional body words only.
    /// Each word's count is how often the text gives it (the parser keeps a repeated word
    /// once, and long queries repeat their topic words on purpose).
    fn bag(&self, text: &str, body: Field) -> Option<Bag> {
        if self.top.is_empty() {
            return None;
        }
        let mut counts: Vec<(Term, f32)> = Vec::new();
        for (occur, term) in &self.top {
            let term = term.as_ref()?;
            if *occur != Occur::Should {
                return None;
            }
            if !counts.iter().any(|(t, _)| t == term) {
                counts.push((term.clone(), 0.0));
            }
        }
        let mut sequence = Vec::new();
        let mut analyzer = schema::word_analyzer();
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            let term = Term::from_field_text(body, &tok.text);
            if let Some((_, c)) = counts.iter_mut().find(|(t, _)| *t == term) {
                *c += 1.0;
                sequence.push(term);
            }
        }
        for (_, c) in counts.iter_mut() {
            *c = c.max(1.0);
        }
        Some(Bag {
            terms: counts,
            sequence,
        })
    }
}

/// A node of the tree once its leaves are understood, before it is built: tantivy's logical
/// tree, which we keep ourselves so that nothing has to be read back from compiled queries.
enum Node {
    Clause(Vec<(Occur, Node)>),
    Boost(Box<Node>, f32),
    Leaf(Leaf),
    /// A clause that reads as nothing (no word in it): dropped, as tantivy drops it.
    Nothing,
}

/// A leaf and what it says.
struct Leaf {
    query: Box<dyn Query>,
    /// The word, when the leaf is one body word (no prefix).
    word: Option<Term>,
    /// The body words it holds (indexed forms), and whether they form an exact phrase.
    words: Vec<String>,
    exact_phrase: bool,
    /// Typed without a field.
    plain: bool,
    /// A `date:` clause: its range (it filters, see [`parse_within`]).
    date: Option<DateRange>,
    /// Given as one of several alternatives (`OR`).
    alternative: bool,
}

/// Reads the text with tantivy's grammar and builds the query from the tree.
fn read(
    parser: &QueryParser,
    f: Fields,
    text: &str,
    strictness: Strictness,
) -> Result<Tree, Misread> {
    use tantivy::query_grammar as grammar;
    let ast = match strictness {
        Strictness::Strict => grammar::parse_query(text).map_err(|_| Misread::Syntax)?,
        Strictness::Lenient => grammar::parse_query_lenient(text).0,
    };
    let reader = Reader {
        parser,
        f,
        strictness,
        words: std::cell::RefCell::new(schema::word_analyzer()),
    };
    let node = reader.node(ast)?;
    let mut node = match strictness {
        Strictness::Strict => simplify(node),
        Strictness::Lenient => node,
    };
    // Top-level date clauses narrow; they are taken out of the text query into the filter.
    let (mut dates, mut negated_dates) = (Some(DateRange::default()), Vec::new());
    let mut hoisted = false;
    match &mut node {
        Node::Clause(children) => {
            children.retain(|(occur, child)| match (occur, child) {
                (
                    _,
                    Node::Leaf(Leaf {
                        alternative: true, ..
                    }),
                ) => true,
                (Occur::MustNot, Node::Leaf(Leaf { date: Some(d), .. })) => {
                    negated_dates.push(*d);
                    hoisted = true;
                    false
                }
                (_, Node::Leaf(Leaf { date: Some(d), .. })) => {
                    dates = dates.and_then(|r| r.intersect(d));
                    hoisted = true;
                    false
                }
                _ => true,
            });
        }
        Node::Leaf(Leaf { date: Some(d), .. }) => {
            dates = Some(*d);
            hoisted = true;
            node = Node::Nothing;
        }
        _ => {}
    }
    // Every clause excluded: every article but those, as tantivy reads it (with a warning).
    let only_excludes = match &mut node {
        Node::Clause(children)
            if !children.is_empty() && children.iter().all(|(o, c)| excludes_all(*o, c)) =>
        {
            children.push((Occur::Should, Node::Leaf(Leaf::of(Box::new(AllQuery)))));
            true
        }
        _ => false,
    };
    let node = trim(node);
    let mut marks = Marks::default();
    let mut respellable = Vec::new();
    collect(&node, false, &mut marks, &mut respellable);
    let (top, clauses) = match &node {
        Some(Node::Clause(children)) => (
            children
                .iter()
                .map(|(o, c)| match c {
                    Node::Leaf(l) => (*o, l.word.clone()),
                    _ => (*o, None),
                })
                .collect(),
            children
                .iter()
                .filter(|(o, _)| *o != Occur::MustNot)
                .map(|(_, c)| build(c))
                .collect(),
        ),
        Some(Node::Leaf(l)) => (vec![(Occur::Should, l.word.clone())], Vec::new()),
        _ => (Vec::new(), Vec::new()),
    };
    // Nothing left but dates: every article within them. Nothing at all: no article.
    let query = match &node {
        Some(node) => Some(build(node)),
        None if hoisted => None,
        None => Some(Box::new(EmptyQuery) as Box<dyn Query>),
    };
    Ok(Tree {
        query,
        clauses,
        top,
        marks,
        respellable,
        dates,
        negated_dates,
        only_excludes,
    })
}

/// Whether a clause excludes and nothing else (tantivy's `all_negative`).
fn excludes_all(occur: Occur, node: &Node) -> bool {
    occur == Occur::MustNot
        || match node {
            Node::Leaf(_) | Node::Nothing => false,
            Node::Boost(n, _) => excludes_all(Occur::Should, n),
            Node::Clause(children) => children.iter().all(|(o, c)| excludes_all(*o, c)),
        }
}

/// Pulls clauses up into a parent of the same occurrence, as tantivy's strict parser does.
fn simplify(node: Node) -> Node {
    match node {
        Node::Clause(children) => {
            let mut out = Vec::with_capacity(children.len());
            for (occur, child) in children {
                match simplify(child) {
                    Node::Clause(sub)
                        if matches!(occur, Occur::Should | Occur::Must)
                            && sub.iter().all(|(o, _)| *o == occur) =>
                    {
                        out.extend(sub)
                    }
                    // An empty clause (no word in it) reads as nothing either way.
                    other => out.push((occur, other)),
                }
            }
            Node::Clause(out)
        }
        other => other,
    }
}

/// Drops what reads as nothing; `None` when nothing is left.
fn trim(node: Node) -> Option<Node> {
    match node {
        Node::Nothing => None,
        Node::Clause(children) => {
            let kept: Vec<(Occur, Node)> = children
                .into_iter()
                .filter_map(|(o, c)| trim(c).map(|c| (o, c)))
                .collect();
            (!kept.is_empty()).then_some(Node::Clause(kept))
        }
        Node::Boost(inner, boost) => Some(Node::Boost(
            Box::new(trim(*inner).unwrap_or(Node::Nothing)),
            boost,
        )),
        leaf => Some(leaf),
    }
}

/// The Tantivy query of a node. Excluded clauses are wrapped in [`PlainSeek`].
fn build(node: &Node) -> Box<dyn Query> {
    match node {
        Node::Nothing => Box::new(EmptyQuery),
        Node::Leaf(l) => l.query.box_clone(),
        Node::Boost(inner, boost) => Box::new(BoostQuery::new(build(inner), *boost)),
        Node::Clause(children) if children.is_empty() => Box::new(EmptyQuery),
        Node::Clause(children) => Box::new(BooleanQuery::new(
            children
                .iter()
                .map(|(occur, child)| {
                    let q = build(child);
                    let q: Box<dyn Query> = if *occur == Occur::MustNot {
                        Box::new(PlainSeek(q))
                    } else {
                        q
                    };
                    (*occur, q)
                })
                .collect(),
        )),
    }
}

/// The marks and the respellable words of a node; `excluded` below a `-`/`NOT`.
fn collect(node: &Option<Node>, excluded: bool, marks: &mut Marks, respellable: &mut Vec<String>) {
    fn walk(node: &Node, excluded: bool, marks: &mut Marks, respellable: &mut Vec<String>) {
        match node {
            Node::Nothing => {}
            Node::Boost(inner, _) => walk(inner, excluded, marks, respellable),
            Node::Clause(children) => {
                for (occur, child) in children {
                    walk(
                        child,
                        excluded || *occur == Occur::MustNot,
                        marks,
                        respellable,
                    );
                }
            }
            Node::Leaf(leaf) => {
                if excluded {
                    return;
                }
                if leaf.plain {
                    for w in &leaf.words {
                        if !respellable.contains(w) {
                            respellable.push(w.clone());
                        }
                    }
                }
                if leaf.exact_phrase {
                    marks.phrases.push(leaf.words.clone());
                } else {
                    marks.singles.extend(leaf.words.iter().cloned());
                }
            }
        }
    }
    if let Some(node) = node {
        walk(node, excluded, marks, respellable);
    }
}

impl Leaf {
    fn of(query: Box<dyn Query>) -> Leaf {
        Leaf {
            query,
            word: None,
            words: Vec::new(),
            exact_phrase: false,
            plain: false,
            date: None,
            alternative: false,
        }
    }
}

/// Understands the leaves of a syntax tree.
struct Reader<'a> {
    parser: &'a QueryParser,
    f: Fields,
    strictness: Strictness,
    /// The word analyzer every literal of the text is read with (one per reading).
    words: std::cell::RefCell<tantivy::tokenizer::TextAnalyzer>,
}

impl Reader<'_> {
    fn node(&self, ast: UserInputAst) -> Result<Node, Misread> {
        Ok(match ast {
            UserInputAst::Clause(children) => {
                let mut out = Vec::with_capacity(children.len());
                for (occur, child) in children {
                    let mut child = self.node(child)?;
                    // `date:1990 OR date:2016`: dates given as alternatives stay where they
                    // are (a filter each, scoring nothing); the others narrow the whole query.
                    if let (Some(Occur::Should), Node::Leaf(leaf)) = (occur, &mut child) {
                        leaf.alternative = true;
                    }
                    out.push((occur.unwrap_or(Occur::Should), child));
                }
                Node::Clause(out)
            }
            UserInputAst::Boost(inner, boost) => {
                let inner = self.node(*inner)?;
                let boost = boost.into_inner() as f32;
                if (boost - 1.0).abs() < f32::EPSILON {
                    inner
                } else {
                    Node::Boost(Box::new(inner), boost)
                }
            }
            UserInputAst::Leaf(leaf) => self.leaf(*leaf)?,
        })
    }

    /// Fails in a strict reading; drops the clause in a lenient one.
    fn fail(&self, why: Misread) -> Result<Node, Misread> {
        match (self.strictness, why) {
            (_, Misread::Refused(e)) => Err(Misread::Refused(e)),
            (Strictness::Strict, why) => Err(why),
            (Strictness::Lenient, _) => Ok(Node::Nothing),
        }
    }

    fn leaf(&self, leaf: UserInputLeaf) -> Result<Node, Misread> {
        let field = match &leaf {
            UserInputLeaf::Literal(l) => l.field_name.clone(),
            UserInputLeaf::Range { field, .. }
            | UserInputLeaf::Set { field, .. }
            | UserInputLeaf::Regex { field, .. } => field.clone(),
            UserInputLeaf::Exists { field } => Some(field.clone()),
            UserInputLeaf::All => None,
        };
        if let Some(name) = &field
            && !QUERY_FIELDS.contains(&name.as_str())
        {
            return self.fail(Misread::UnknownField(name.clone()));
        }
        match leaf {
            UserInputLeaf::All => Ok(Node::Leaf(Leaf::of(Box::new(AllQuery)))),
            UserInputLeaf::Range {
                field: Some(name),
                lower,
                upper,
            } if name == schema::DATE => match date_range(&lower, &upper) {
                // A range the lenient reading made of a broken one (`date:[2016 TO`) is not
                // what was asked for: it is dropped, as tantivy drops it.
                Ok(_) if self.strictness == Strictness::Lenient => Ok(Node::Nothing),
                Ok(range) => Ok(self.date(range)),
                Err(e) => self.fail(Misread::Refused(e)),
            },
            // `[* TO *]` bounds nothing: every article (tantivy would read it as none).
            UserInputLeaf::Range { lower, upper, .. } if is_open(&lower) && is_open(&upper) => {
                Ok(Node::Leaf(Leaf::of(Box::new(AllQuery))))
            }
            UserInputLeaf::Literal(l) if l.field_name.as_deref() == Some(schema::DATE) => {
                let value = UserInputBound::Inclusive(l.phrase.clone());
                match date_range(&value, &value) {
                    Ok(range) => Ok(self.date(range)),
                    Err(e) => self.fail(Misread::Refused(e)),
                }
            }
            UserInputLeaf::Literal(l) => self.literal(l),
            other => self.built(UserInputLeaf::clone(&other), Leaf::of),
        }
    }

    /// A `date:` clause: a range on the date column scoring nothing.
    fn date(&self, range: DateRange) -> Node {
        let mut leaf = Leaf::of(range.to_query(self.f));
        leaf.date = Some(range);
        Node::Leaf(leaf)
    }

    /// A word or a phrase: on the body, or (a quoted phrase of common words, see `grams`) on
    /// the pairs field, whose postings are short, instead of the body's positions of `the`.
    fn literal(&self, mut l: UserInputLiteral) -> Result<Node, Misread> {
        let on_body = l.field_name.is_none() || l.field_name.as_deref() == Some(schema::BODY);
        if !on_body {
            // A name is looked up as the index holds it: white space tidied (the analyzer
            // lower-cases it).
            if matches!(
                l.field_name.as_deref(),
                Some(schema::AUTHOR | schema::SOURCE)
            ) {
                l.phrase = schema::tidy_name(&l.phrase);
            }
            return self.built(UserInputLeaf::Literal(l), Leaf::of);
        }
        let plain = l.field_name.is_none();
        let words = analyze_with(&mut self.words.borrow_mut(), &l.phrase);
        if words.is_empty() {
            return Ok(Node::Nothing);
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        if plain
            && l.delimiter == Delimiter::DoubleQuotes
            && l.slop == 0
            && !l.prefix
            && crate::index::grams::fully_paired(&refs)
        {
            l.field_name = Some(schema::PAIRS.to_string());
        }
        let word =
            (words.len() == 1 && !l.prefix).then(|| Term::from_field_text(self.f.body, &words[0]));
        let exact_phrase = words.len() >= 2 && l.slop == 0;
        self.built(UserInputLeaf::Literal(l), move |query| Leaf {
            query,
            word,
            words,
            exact_phrase,
            plain,
            date: None,
            alternative: false,
        })
    }

    /// The leaf built by tantivy's query parser.
    fn built(
        &self,
        leaf: UserInputLeaf,
        make: impl FnOnce(Box<dyn Query>) -> Leaf,
    ) -> Result<Node, Misread> {
        let ast = UserInputAst::Leaf(Box::new(leaf));
        match self.parser.build_query_from_user_input_ast(ast) {
            Ok(query) => Ok(Node::Leaf(make(query))),
            Err(e) => self.fail(Misread::Build(describe(&e))),
        }
    }
}

/// The indexed forms of a text's words.
pub fn analyzed(text: &str) -> Vec<String> {
    analyze_with(&mut schema::word_analyzer(), text)
}

/// [`analyzed`], with an analyzer of the caller's.
fn analyze_with(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(t) = stream.next() {
        words.push(t.text.clone());
    }
    words
}

/// The range of a `date:` clause: bounds as `--from`/`--to` take them (`2016`, `2016-09`,
/// `2016-09-17`) or RFC 3339 (`2016-09-17T00:00:00Z`); `*` leaves an end open. An exclusive
/// bound leaves its whole period out.
fn date_range(lower: &UserInputBound, upper: &UserInputBound) -> Result<DateRange, QueryError> {
    let bound = |b: &UserInputBound, end: End| -> Result<Option<NaiveDate>, QueryError> {
        let (value, exclusive) = match b {
            UserInputBound::Unbounded => return Ok(None),
            UserInputBound::Inclusive(v) => (v, false),
            UserInputBound::Exclusive(v) => (v, true),
        };
        if value == "*" {
            return Ok(None);
        }
        let bad = |problem| QueryError::BadQueryDate {
            value: value.clone(),
            problem,
        };
        // Exclusive: the other end of the period, then one day further.
        let period_end = if exclusive { opposite(end) } else { end };
        let (day, past_midnight) = match crate::search::dates::read_partial_date(value, period_end)
        {
            Ok(day) => (day, false),
            Err(DateProblem::Impossible) => return Err(bad(DateProblem::Impossible)),
            Err(DateProblem::Malformed) => {
                let t = chrono::DateTime::parse_from_rfc3339(value)
                    .map_err(|_| bad(DateProblem::Malformed))?;
                let utc = t.naive_utc();
                (utc.date(), utc.time() != chrono::NaiveTime::MIN)
            }
        };
        let day = match (end, exclusive || past_midnight) {
            (End::Start, true) if exclusive || past_midnight => day.succ_opt(),
            (End::Finish, true) if exclusive && !past_midnight => day.pred_opt(),
            _ => Some(day),
        };
        day.map(Some).ok_or_else(|| bad(DateProblem::Impossible))
    };
    Ok(DateRange {
        from: bound(lower, End::Start)?,
        to: bound(upper, End::Finish)?,
    })
}

/// Whether a range's end is left open (`*`).
fn is_open(bound: &UserInputBound) -> bool {
    match bound {
        UserInputBound::Unbounded => true,
        UserInputBound::Inclusive(v) | UserInputBound::Exclusive(v) => v == "*",
    }
}

fn opposite(end: End) -> End {
    match end {
        End::Start => End::Finish,
        End::Finish => End::Start,
    }
}

/// Which articles a command reads, besides the dates: those under a folder, by any of the
/// authors named, from any of the sources named (`--in`, `--author`, `--source`). Names are
/// exact and case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// A folder's key prefix, ending in `/` (see [`folder_prefix`]).
    pub folder: Option<String>,
    /// Any of these authors (none: any article).
    pub authors: Vec<String>,
    /// Any of these sources (none: any article).
    pub sources: Vec<String>,
}

impl Scope {
    /// Only the articles under a folder (a key prefix ending in `/`).
    pub fn folder(prefix: Option<String>) -> Scope {
        Scope {
            folder: prefix,
            ..Scope::default()
        }
    }

    /// Whether it narrows anything.
    pub fn restricts(&self) -> bool {
        self.folder.is_some() || !self.authors.is_empty() || !self.sources.is_empty()
    }
}

/// The date range and the scope as one filter that scores nothing; `None` when neither
/// restricts anything.
pub fn filter(f: Fields, range: &DateRange, scope: &Scope) -> Option<Box<dyn Query>> {
    let mut parts: Vec<Box<dyn Query>> = Vec::new();
    if range.is_bounded() {
        parts.push(range.to_query(f));
    }
    if let Some(prefix) = &scope.folder {
        parts.push(folder_query(f, prefix));
    }
    for (field, names) in [(f.author, &scope.authors), (f.source, &scope.sources)] {
        if !names.is_empty() {
            parts.push(names_query(field, names));
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            parts.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

/// The articles with any of `names` in a name field (author, source), scoring nothing: the
/// names as the index holds them (tidied, lower-cased), looked up as terms.
fn names_query(field: Field, names: &[String]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = names
        .iter()
        .map(|name| -> (Occur, Box<dyn Query>) {
            let value = schema::tidy_name(name).to_lowercase();
            let term = Term::from_field_text(field, &value);
            (
                Occur::Should,
                Box::new(tantivy::query::TermQuery::new(
                    term,
                    tantivy::schema::IndexRecordOption::Basic,
                )),
            )
        })
        .collect();
    Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(terms)),
        0.0,
    ))
}

/// [`filter`], less the articles within any of `excluded` (the query's `-date:` clauses).
fn filter_excluding(
    f: Fields,
    range: &DateRange,
    scope: &Scope,
    excluded: &[DateRange],
) -> Option<Box<dyn Query>> {
    let kept = filter(f, range, scope);
    if excluded.is_empty() {
        return kept;
    }
    let kept = kept.unwrap_or_else(|| Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)));
    let mut clauses = vec![(Occur::Must, kept)];
    clauses.extend(excluded.iter().map(|r| (Occur::MustNot, r.to_query(f))));
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The key prefix of a folder the user names (`--in corpus/federalist`): its key, as
/// `dateline show` resolves a path, ending in `/`.
pub fn folder_prefix(folder: &std::path::Path) -> String {
    let key = crate::corpus::key_as_named(folder);
    if key.ends_with('/') {
        key
    } else {
        format!("{key}/")
    }
}

/// The articles whose key starts with `prefix` (ending in `/`): the keys from `prefix` up to,
/// not including, the same text with its final `/` made `0`, the next byte. A range over the
/// path column's term ordinals, scoring nothing: the filter runs inside the index.
fn folder_query(f: Fields, prefix: &str) -> Box<dyn Query> {
    let upper = format!("{}0", prefix.strip_suffix('/').unwrap_or(prefix));
    Box::new(ConstScoreQuery::new(
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_text(f.path, prefix)),
            Bound::Excluded(Term::from_field_text(f.path, &upper)),
        )),
        0.0,
    ))
}

/// Free text as a query of its words: every run of letters, digits and `_` (the `\w` of regular
/// expressions), lower-cased, so that punctuation, quotes and words such as `AND`, `NOT` or
/// `title:` in a question are read as words, never as query syntax.
pub fn free_text(text: &str) -> String {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A query whose scorer answers `seek_danger` with tantivy's default method, which accepts a
/// target behind the current document.
#[derive(Debug)]
struct PlainSeek(Box<dyn Query>);

impl Clone for PlainSeek {
    fn clone(&self) -> Self {
        PlainSeek(self.0.box_clone())
    }
}

impl Query for PlainSeek {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PlainSeekWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct PlainSeekWeight(Box<dyn Weight>);

impl Weight for PlainSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PlainSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct PlainSeekScorer(Box<dyn Scorer>);

impl DocSet for PlainSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for PlainSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// The deepest nesting of parentheses outside quotes (unbalanced ones count as they open).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                max = max.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// `path:corpus/a.txt` names a file as the user sees it; the index keys files by absolute path
/// (see `corpus`), so each `path:` value is resolved as `dateline show` resolves its argument.
/// Ranges and wildcards are left as written.
fn absolute_paths(text: &str) -> String {
    const FIELD: &str = "path:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(FIELD) {
        let starts_word = at == 0
            || rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || "(+-".contains(c));
        out.push_str(&rest[..at + FIELD.len()]);
        rest = &rest[at + FIELD.len()..];
        if !starts_word {
            continue;
        }
        let (value, quoted) = match rest.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (&q[..end], true),
                None => continue,
            },
            None => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == ')')
                    .unwrap_or(rest.len());
                (&rest[..end], false)
            }
        };
        let len = value.len() + if quoted { 2 } else { 0 };
        if value.is_empty() || value.starts_with(['/', '[', '{', '(']) || value.contains('*') {
            continue;
        }
        let key = crate::corpus::key_as_named(std::path::Path::new(value));
        out.push('"');
        out.push_str(&key.replace('"', "\\\""));
        out.push('"');
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// The fields a query may name (`path:"corpus/x.txt"`, `date:[… TO …]`, `body:word`).
const QUERY_FIELDS: &[&str] = &[
    schema::PATH,
    schema::DATE,
    schema::BODY,
    schema::TITLE,
    schema::AUTHOR,
    schema::SOURCE,
];

/// Whether the text before a `:` names a field a query may use (leading `+`, `-` and `(` aside).
fn is_query_field(field: &str) -> bool {
    QUERY_FIELDS.contains(&field.trim_start_matches(['+', '-', '(']))
}

/// Whether the text before a `:` reads as a field name at all (a word of letters, digits and
/// `_`), unlike the hours of `2016-12-31T00:00:00Z` in a date range.
fn looks_like_field(field: &str) -> bool {
    let name = field.trim_start_matches(['+', '-', '(']);
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The first `field:` in the text that names no field. tantivy's parser checks field names for
/// most clauses but not `field:*`, which would fail only when run.
fn unknown_field(text: &str) -> Option<&str> {
    text.split_whitespace()
        .filter_map(|w| w.split_once(':').map(|(field, _)| field))
        .find(|field| looks_like_field(field) && !is_query_field(field))
}

/// Mends the commonest slips: an unclosed quote (the last quote is dropped), unmatched
/// parentheses (dropped), and operators with nothing on one side (dropped).
pub fn repair(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.iter().filter(|&&c| c == '"').count() % 2 == 1
        && let Some(i) = chars.iter().rposition(|&c| c == '"')
    {
        chars.remove(i);
    }
    // Parentheses inside quotes are words, not grouping.
    let mut open = Vec::new();
    let mut drop = vec![false; chars.len()];
    let mut quoted = false;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => open.push(i),
            ')' if !quoted && open.pop().is_none() => drop[i] = true,
            _ => {}
        }
    }
    for i in open {
        drop[i] = true;
    }
    let text: String = chars
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(c, _)| *c)
        .collect();
    // `word:` where word is not a field is text (`re:Syria`), not a field query.
    let text: String = text
        .split(' ')
        .map(|w| match w.split_once(':') {
            Some((field, rest)) if looks_like_field(field) && !is_query_field(field) => {
                // `foo:*` asks whether a field exists; with no such field, keep the word.
                if rest == "*" {
                    field.to_string()
                } else {
                    format!("{field} {rest}")
                }
            }
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let is_op = |w: &str| matches!(w, "AND" | "OR" | "NOT" | "&&" | "||");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next_ok = words.get(i + 1).is_some_and(|n| !is_op(n));
        let prev_ok = kept.last().is_some_and(|p| !is_op(p));
        if is_op(w) && (!next_ok || (*w != "NOT" && !prev_ok)) {
            continue;
        }
        kept.push(w);
    }
    kept.join(" ")
}

fn describe(e: &tantivy::query::QueryParserError) -> String {
    use tantivy::query::QueryParserError as E;
    match e {
        E::SyntaxError(_) => {
            "syntax error: an unclosed quote or parenthesis, or a lone operator".to_string()
        }
        E::FieldDoesNotExist(name) => format!("no field named {name:?}"),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_words_and_drops_syntax() {
        assert_eq!(
            free_text("What is \"AND\"-logic (in +IR)? NOT title:x_y, Café 3.5"),
            "what is and logic in ir not title x_y café 3 5"
        );
        assert_eq!(free_text(" -- ?"), "");
    }

    /// An index of four articles, the first two dated 2016.
    fn small() -> (tempfile::TempDir, Store) {
        crate::index::writer::index_files(
            [
                (
                    "a.txt",
                    " date 2016-09-17 The company said oil prices fell.",
                ),
                ("b.txt", " date 2016-02-01 Brokers of peace met."),
                ("c.txt", " date 1990-01-01 Aid to Aleppo convoys."),
                ("d.txt", " date 1990-06-01 The company aid."),
            ]
            .map(|(n, t)| (n.to_string(), t.to_string())),
        )
    }

    /// The fields of the text query's terms, in order.
    fn fields(store: &Store, text: &str) -> Vec<&'static str> {
        let plan = parse(store, text, &DateRange::default()).unwrap();
        let mut out = Vec::new();
        if let Some(q) = &plan.text {
            q.query_terms(&mut |t, _| {
                out.push(if t.field() == store.fields.pairs {
                    "pairs"
                } else {
                    "body"
                })
            });
        }
        out
    }

    #[test]
    fn fully_paired_phrases_go_to_the_pairs_field() {
        let (_dir, store) = small();
        assert_eq!(
            fields(
                &store,
                r#""the company said" oil "oil prices" -"brokers of peace""#
            ),
            ["pairs", "pairs", "body", "body", "body", "pairs", "pairs"]
        );
        // A field, a slop, a word without a common neighbour, an unclosed quote: as written.
        for kept in [
            r#"body:"the company""#,
            r#""the company"~2"#,
            r#""aid to aleppo convoys""#,
            r#"aid "the company"#,
        ] {
            assert!(fields(&store, kept).iter().all(|f| *f == "body"), "{kept}");
        }
    }

    #[test]
    fn repair_mends_common_slips() {
        assert_eq!(repair("\"unclosed aid"), "unclosed aid");
        assert_eq!(repair("\"peace brokers\" \"x"), "\"peace brokers\" x");
        assert_eq!(repair("(aid OR convoys"), "aid OR convoys");
        assert_eq!(repair("aid) convoys"), "aid convoys");
        assert_eq!(repair("aid AND"), "aid");
        assert_eq!(repair("AND aid"), "aid");
        assert_eq!(repair("aid AND OR convoys"), "aid OR convoys");
        assert_eq!(repair("NOT aid"), "NOT aid");
        assert_eq!(repair("AND OR NOT"), "");
        assert_eq!(repair("\"(inside quotes\""), "\"(inside quotes\"");
        assert_eq!(repair("nosuchfield:aid"), "nosuchfield aid");
        assert_eq!(repair("body:aid"), "body:aid");
        assert_eq!(repair("(foo:* aid)"), "(foo aid)");
        assert_eq!(unknown_field("aid foo:*"), Some("foo"));
        assert_eq!(unknown_field("(foo:bar"), Some("(foo"));
        assert_eq!(unknown_field("+date:[* TO *] path:x"), None);
        let range = "date:[2016-01-01T00:00:00Z TO 2016-12-31T00:00:00Z]";
        assert_eq!(unknown_field(range), None);
        assert_eq!(repair(range), range);
    }

    #[test]
    fn nesting_counts_parentheses_outside_quotes() {
        assert_eq!(nesting("((a) (b))"), 2);
        assert_eq!(nesting("\"(((\" a"), 0);
        assert_eq!(nesting(&"(".repeat(300)), 300);
    }

    fn count(store: &Store, text: &str) -> usize {
        let plan = parse(store, text, &DateRange::default()).unwrap();
        let reader = store.reader().unwrap();
        reader
            .searcher()
            .search(&*plan.full, &tantivy::collector::Count)
            .unwrap()
    }

    #[test]
    fn open_ranges_read_as_everything() {
        let (_dir, store) = small();
        assert_eq!(count(&store, "date:[* TO *]"), 4);
        assert_eq!(count(&store, "aid +path:{* TO *}"), 4);
        // An open date range narrows nothing, and does not widen `aid` either.
        assert_eq!(count(&store, "aid +date:{* TO *}"), 2);
        assert_eq!(count(&store, "(path:[* TO *])"), 4);
        assert_eq!(count(&store, "date:[2016 TO *]"), 2);
    }

    /// `date:` takes the dates `--from` and `--to` take, and always narrows.
    #[test]
    fn the_date_field_takes_partial_dates_and_narrows() {
        let (_dir, store) = small();
        assert_eq!(count(&store, "date:[2016-09 TO 2016-09]"), 1);
        assert_eq!(count(&store, "date:2016"), 2);
        assert_eq!(count(&store, "date:>=2016-09-17"), 1);
        assert_eq!(count(&store, "date:>2016-09-16"), 1);
        assert_eq!(count(&store, "date:<2016"), 2);
        assert_eq!(count(&store, "date:{1990 TO 2017}"), 2);
        assert_eq!(
            count(
                &store,
                "date:[2016-01-01T00:00:00Z TO 2016-12-31T00:00:00Z]"
            ),
            2
        );
        // Words and a date: the date filters (it is not one more optional clause).
        assert_eq!(count(&store, "aid"), 2);
        assert_eq!(count(&store, "aid date:[2017 TO *]"), 0);
        assert_eq!(count(&store, "company date:1990"), 1);
        assert_eq!(count(&store, "company -date:1990"), 1);
        assert_eq!(count(&store, "date:1990 OR date:2016-02"), 3);
        // With the flags: both hold.
        let plan = |t: &str, r: DateRange| {
            let plan = parse(&store, t, &r).unwrap();
            let reader = store.reader().unwrap();
            reader
                .searcher()
                .search(&*plan.full, &tantivy::collector::Count)
                .unwrap()
        };
        let y2016 = DateRange::parse(Some("2016"), Some("2016")).unwrap();
        assert_eq!(plan("date:2016-09", y2016), 1);
        assert_eq!(plan("date:1990", y2016), 0);
        // A date clause keeps the query a bag of free words.
        let p = parse(&store, "aid date:2016", &DateRange::default()).unwrap();
        assert!(p.bag.is_some());
        assert_eq!(p.clauses.len(), 1);
        // What is not a date is refused, in dateline's words.
        for bad in ["date:yesterday", "date:>=nope"] {
            let e = parse(&store, bad, &DateRange::default()).err().unwrap();
            assert!(e.to_string().contains("not a date"), "{bad}: {e}");
        }
        let e = parse(&store, "date:2016-02-30", &DateRange::default())
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "date:2016-02-30: impossible date (not on the calendar)"
        );
    }

    /// A query that only excludes reads as every article but those, in dateline's words.
    #[test]
    fn a_query_that_only_excludes_says_so() {
        let (_dir, store) = small();
        let p = parse(&store, "-aid", &DateRange::default()).unwrap();
        assert_eq!(
            p.warnings,
            ["the query only excludes words; searched every article without them"]
        );
        assert_eq!(count(&store, "-aid"), 2);
    }

    /// The query is understood in one place: no module but this one reads a compiled query's
    /// structure back (a downcast), and none reads a query's `Debug` string.
    #[test]
    fn no_module_reads_a_compiled_query_back() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut offenders = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                let downcast = line.contains("downcast_ref::<")
                    && ["Query", "TermQuery", "PhraseQuery", "BooleanQuery"]
                        .iter()
                        .any(|q| line.contains(&format!("downcast_ref::<{q}>")));
                // A phrase's slop read from its `Debug` form.
                let debug = line.contains(&["slop", ": 0"].concat());
                if downcast || debug {
                    offenders.push(format!("{}:{}", path.display(), i + 1));
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:?}");
    }
}
