#pragma once
// Where an error sits in a text file, for messages a person can act on ("line 4, column 7").

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <utility>

namespace peek {

// The 1-based line and column of a byte offset into UTF-8 text; the column counts characters.
inline std::pair<int, int> lineAndColumn(const QByteArray &data, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, data.size());
    const QByteArrayView before(data.constData(), offset);
    const int line = int(before.count('\n')) + 1;
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const int column = int(QString::fromUtf8(before.sliced(lineStart)).size()) + 1;
    return {line, column};
}

} // namespace peek
