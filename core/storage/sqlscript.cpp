#include "sqlscript.h"

namespace peek {

namespace {

bool isWordStart(QChar c)
{
    return c.isLetter() || c == QLatin1Char('_');
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('$');
}

// Line numbers of positions visited in increasing order, without rescanning the script.
class LineCounter {
public:
    explicit LineCounter(const QString &text) : m_text(text) { }
    int lineAt(qsizetype pos)
    {
        for (; m_pos < pos && m_pos < m_text.size(); ++m_pos) {
            if (m_text.at(m_pos) == QLatin1Char('\n'))
                ++m_line;
        }
        return m_line;
    }

private:
    const QString &m_text;
    qsizetype m_pos = 0;
    int m_line = 1;
};

} // namespace

Result<QList<SqlStatement>> splitSqlScript(const QString &script)
{
    QList<SqlStatement> statements;
    LineCounter lines(script);
    const qsizetype n = script.size();

    qsizetype contentStart = -1; // first character of the current statement that is not blank
    qsizetype contentEnd = -1; // just past its last such character
    QStringList words; // the statement's first words, upper case (for CREATE TRIGGER)
    QString previousWord;
    int blockDepth = 0; // inside BEGIN ... END bodies, semicolons do not end the statement

    auto unterminated = [&](const char *what, qsizetype start) {
        return Error {
            QStringLiteral("the SQL script has an unterminated %1 starting on line %2")
                .arg(QLatin1String(what))
                .arg(lines.lineAt(start)),
            {},
            {}};
    };
    auto markContent = [&](qsizetype from, qsizetype to) {
        if (contentStart < 0)
            contentStart = from;
        contentEnd = to;
    };
    auto endStatement = [&] {
        if (contentStart >= 0) {
            statements.append(
                {script.mid(contentStart, contentEnd - contentStart), lines.lineAt(contentStart)});
        }
        contentStart = contentEnd = -1;
        words.clear();
        previousWord.clear();
        blockDepth = 0;
    };
    auto onWord = [&](const QString &word) {
        const QString upper = word.toUpper();
        if (words.size() < 4)
            words << upper;
        const bool trigger = words.first() == QLatin1String("CREATE")
            && words.mid(1).contains(QLatin1String("TRIGGER"));
        if (upper == QLatin1String("BEGIN") && trigger) {
            ++blockDepth;
        } else if (upper == QLatin1String("ATOMIC") && previousWord == QLatin1String("BEGIN")
                   && !trigger) {
            ++blockDepth;
        } else if (upper == QLatin1String("CASE") && blockDepth > 0) {
            ++blockDepth;
        } else if (upper == QLatin1String("END") && blockDepth > 0) {
            --blockDepth;
        }
        previousWord = upper;
    };

    qsizetype i = 0;
    while (i < n) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < n ? script.at(i + 1) : QChar();

        if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
            const qsizetype eol = script.indexOf(QLatin1Char('\n'), i);
            i = eol < 0 ? n : eol + 1;
            continue;
        }
        if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
            const qsizetype start = i;
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (script.at(i) == QLatin1Char('/') && i + 1 < n
                    && script.at(i + 1) == QLatin1Char('*')) {
                    ++depth;
                    i += 2;
                } else if (script.at(i) == QLatin1Char('*') && i + 1 < n
                           && script.at(i + 1) == QLatin1Char('/')) {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            }
            if (depth > 0)
                return unterminated("/* comment */", start);
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`')) {
            // E'...' (PostgreSQL escape string): a backslash escapes the next character.
            const bool backslashEscapes = c == QLatin1Char('\'') && i > 0
                && (script.at(i - 1) == QLatin1Char('E') || script.at(i - 1) == QLatin1Char('e'))
                && (i < 2 || !isWordChar(script.at(i - 2)));
            const qsizetype start = i;
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar q = script.at(i);
                if (backslashEscapes && q == QLatin1Char('\\')) {
                    i += 2;
                } else if (q == c) {
                    if (i + 1 < n && script.at(i + 1) == c) { // doubled quote: an escaped quote
                        i += 2;
                    } else {
                        ++i;
                        closed = true;
                        break;
                    }
                } else {
                    ++i;
                }
            }
            if (!closed) {
                return unterminated(c == QLatin1Char('\'') ? "'string'" : "quoted identifier",
                                    start);
            }
            markContent(start, i);
            previousWord.clear();
            continue;
        }
        if (c == QLatin1Char('$') && (i == 0 || !isWordChar(script.at(i - 1)))) {
            // $tag$ ... $tag$ with an empty or identifier-like tag ($1 is a parameter).
            qsizetype j = i + 1;
            if (j < n && isWordStart(script.at(j))) {
                while (j < n && script.at(j) != QLatin1Char('$') && isWordChar(script.at(j)))
                    ++j;
            }
            if (j < n && script.at(j) == QLatin1Char('$')) {
                const QString tag = script.mid(i, j - i + 1);
                const qsizetype close = script.indexOf(tag, j + 1);
                if (close < 0)
                    return unterminated("dollar-quoted body", i);
                markContent(i, close + tag.size());
                i = close + tag.size();
                previousWord.clear();
                continue;
            }
        }
        if (isWordStart(c)) {
            const qsizetype start = i;
            while (i < n && isWordChar(script.at(i)))
                ++i;
            markContent(start, i);
            onWord(script.mid(start, i - start));
            continue;
        }
        if (c == QLatin1Char(';') && blockDepth == 0) {
            endStatement();
            ++i;
            continue;
        }
        if (!c.isSpace())
            markContent(i, i + 1);
        ++i;
    }
    if (blockDepth > 0 && contentStart >= 0)
        return unterminated("BEGIN ... END body", contentStart);
    endStatement();
    return statements;
}

} // namespace peek
