//! Shell completions and the man page, generated from the clap definitions so neither drifts
//! from the real flags.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::{self, Write};

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, w: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "dateline", w);
    Ok(())
}

/// Writes the roff man page: clap's NAME, SYNOPSIS, DESCRIPTION, OPTIONS and COMMANDS, one
/// section per command with its synopsis and every flag, then the sections clap does not know.
pub fn man(w: &mut dyn Write) -> io::Result<()> {
    let cmd = Cli::command();
    let page = clap_mangen::Man::new(cmd.clone()).manual("dateline manual");
    page.render_title(w)?;
    page.render_name_section(w)?;
    page.render_synopsis_section(w)?;
    page.render_description_section(w)?;
    page.render_options_section(w)?;
    // clap_mangen's list points at a page per command; ours are sections of this page.
    writeln!(w, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(
            w,
            ".TP\n\\fBdateline {}\\fR\n{}",
            sub.get_name(),
            roff_escape(&about)
        )?;
    }

    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("dateline {}", sub.get_name());
        let sub_page = clap_mangen::Man::new(sub.clone().bin_name(&name));
        let mut buf = Vec::new();
        sub_page.render_synopsis_section(&mut buf)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            sub_page.render_options_section(&mut buf)?;
        }
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let heading = format!(
            ".SH \"{}\"\n{}\n.PP",
            name.to_uppercase(),
            roff_escape(&about)
        );
        let text = String::from_utf8_lossy(&buf)
            .replace(".SH SYNOPSIS", &heading)
            .replace(".SH OPTIONS", ".SS Options");
        writeln!(w, "{text}")?;
        if let Some(after) = sub.get_after_help() {
            writeln!(w, ".PP\n.nf\n{}\n.fi", roff_escape(&after.to_string()))?;
        }
    }
    exit_status_section(w)?;
    w.write_all(STATIC_SECTIONS.as_bytes())
}

/// EXIT STATUS, from the table `--help` and the README show too (`cli::exit_statuses`).
fn exit_status_section(w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in crate::cli::exit_statuses() {
        // `command` is bold; the rest is text.
        let mut text = String::new();
        for (i, part) in roff_escape(&meaning).split('`').enumerate() {
            if i % 2 == 1 {
                text.push_str(&format!("\\fB{part}\\fR"));
            } else {
                text.push_str(part);
            }
        }
        let mut chars = text.chars();
        let text: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let stop = if text.ends_with('…') { "" } else { "." };
        writeln!(w, ".TP\n.B {code}\n{text}{stop}")?;
    }
    Ok(())
}

/// Escapes text for roff: backslashes, and a leading dot or quote that would read as a request.
fn roff_escape(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e").replace('-', "\\-");
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const STATIC_SECTIONS: &str = r#".SH "THE DATED FORMAT"
One UTF\-8 text file per article. The file starts with a space, the word \fBdate\fR, a space,
an ISO date \fIYYYY\-MM\-DD\fR, a space, and then the first paragraph on that same line;
further paragraphs follow, separated by one blank line:
.PP
.nf
.RS
 date 2016\-09\-17 While Russia and the US may have different viewpoints ...

No one is clear what exactly the wrangle is about ...
.RE
.fi
.PP
A UTF\-8 byte\-order mark, CRLF line ends, no leading space, trailing spaces, several blank
lines and the first paragraph on the line after the date are accepted. A missing or impossible
date, a file with no text, invalid UTF\-8 and binary files are reported as
\fIpath\fR:\fIline\fR: \fIreason\fR and skipped.
.SH "QUERY LANGUAGE"
Free words (any may match; an article matching more of a short query's words ranks higher),
\fB"exact phrases"\fR, \fB+required\fR, \fB\-excluded\fR, \fBAND\fR, \fBOR\fR, \fBNOT\fR and
parentheses. Words are case\-folded, folded to ASCII and stemmed (English), so \fBconvoy\fR
finds \fBconvoys\fR. Dates for \fB\-\-from\fR and \fB\-\-to\fR are \fIYYYY\fR, \fIYYYY\-MM\fR or
\fIYYYY\-MM\-DD\fR, both ends inclusive.
.SH HIGHLIGHTING
On a terminal, matched words are shown in bold red. When standard output is not a terminal, or
with \fB\-\-color never\fR, they are wrapped in \fB[[\fR and \fB]]\fR markers, as in
\fIthe blocked [[aid]] caravans\fR. \fB\-\-color always\fR forces colour into a pipe.
.SH ENVIRONMENT
.TP
.B DATELINE_INDEX
The index folder when \fB\-\-index\fR is not given (default \fI./index\fR).
.TP
.B NO_COLOR
When set and not empty, no colour unless \fB\-\-color always\fR.
.SH EXAMPLES
.nf
.RS
dateline index corpus/
dateline search "aid convoys Aleppo" \-\-from 2016\-09 \-\-to 2016\-12\-31
dateline search '"peace brokers"' \-\-json | jq '.hits[].path'
dateline stats
dateline show corpus/2016\-09\-17\-aleppo\-aid\-caravans.txt
dateline completions bash > /etc/bash_completion.d/dateline
.RE
.fi
"#;
