#include "admin/newplugin.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

#include <cstdio>

namespace peek::admin {

namespace {

const QString kTemplate = QStringLiteral(":/plugin-template");

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "peek-server new-plugin: %s\n", qPrintable(message));
    return code;
}

// "field_notes" -> "FieldNotes" (capitalise) or "Field notes" (title).
QString joined(const QString &shortName, bool title)
{
    QStringList words = shortName.split(u'_', Qt::SkipEmptyParts);
    for (int i = 0; i < words.size(); ++i) {
        if (!title || i == 0)
            words[i][0] = words[i][0].toUpper();
    }
    return words.join(title ? QStringLiteral(" ") : QString());
}

} // namespace

int newPlugin(const QStringList &arguments)
{
    QString name;
    QString parent = QStringLiteral(".");
    for (int i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--dir") && i + 1 < arguments.size())
            parent = arguments[++i];
        else if (name.isEmpty() && !arguments[i].startsWith(u'-'))
            name = arguments[i];
        else
            return fail(2, QStringLiteral("unexpected '%1'; usage: peek-server new-plugin NAME [--dir DIR]").arg(arguments[i]));
    }
    static const QRegularExpression valid(QStringLiteral("^peek_plugin_([a-z][a-z0-9]*(_[a-z0-9]+)*)$"));
    const auto match = valid.match(name);
    if (!match.hasMatch() || name.size() > 60) {
        return fail(2, QStringLiteral("'%1' is not a plugin name: use peek_plugin_<name>, lower case letters, digits and single "
                                      "'_' (at most 60 characters), e.g. peek_plugin_site_notes")
                           .arg(name));
    }
    const QString shortName = match.captured(1);
    const QList<QPair<QString, QString>> placeholders {{QStringLiteral("@PLUGIN@"), name},
                                                       {QStringLiteral("@SHORT@"), shortName},
                                                       {QStringLiteral("@CLASS@"), joined(shortName, false)},
                                                       {QStringLiteral("@TITLE@"), joined(shortName, true)}};
    const auto fill = [&placeholders](QString text) {
        for (const auto &[placeholder, value] : placeholders)
            text.replace(placeholder, value);
        return text;
    };

    const QDir target(QDir(parent).absoluteFilePath(name));
    if (target.exists() && !target.isEmpty())
        return fail(1, QStringLiteral("%1 exists and is not empty; choose another --dir or name").arg(target.path()));
    QStringList written;
    QDirIterator files(kTemplate, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString source = files.next();
        const QString relative = fill(source.mid(kTemplate.size() + 1));
        QFile in(source);
        if (!in.open(QIODevice::ReadOnly))
            return fail(1, QStringLiteral("cannot read the template's %1").arg(source));
        const QString path = target.absoluteFilePath(relative);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return fail(1, QStringLiteral("cannot make the folder %1").arg(QFileInfo(path).absolutePath()));
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(fill(QString::fromUtf8(in.readAll())).toUtf8()) < 0 || !out.commit())
            return fail(1, QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
        written << relative;
    }
    if (written.isEmpty())
        return fail(1, QStringLiteral("this peek-server has no plugin template built in"));
    written.sort();
    std::printf("peek-server new-plugin: wrote %s (%lld files):\n", qPrintable(QDir::toNativeSeparators(target.path())),
                qint64(written.size()));
    for (const QString &file : std::as_const(written))
        std::printf("  %s\n", qPrintable(file));
    std::printf("Next:\n  cd %s\n  cmake -S . -B build -G Ninja && cmake --build build && ctest --test-dir build\n"
                "  peek-server --home /tmp/peek-%s --plugin-dir build/plugins --enable-plugin %s\n",
                qPrintable(QDir::toNativeSeparators(target.path())), qPrintable(shortName), qPrintable(name));
    return 0;
}

} // namespace peek::admin
