#include "plugin/pluginkit.h"

#include "action/tupleactionprocessor.h"
#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlRecord>

namespace peek {

namespace {

// changed_by -> changedBy
QString camelCase(const QString &column)
{
    QString out;
    out.reserve(column.size());
    bool upper = false;
    for (const QChar c : column) {
        if (c == u'_') {
            upper = !out.isEmpty();
            continue;
        }
        out += upper ? c.toUpper() : c;
        upper = false;
    }
    return out;
}

} // namespace

void AppProxyHook::start(PluginContext &context)
{
    context.proxyObservable().setPerCaller(m_perCaller);
    context.proxyActions();
    const QDir directory(context.metadata().directory);
    for (const QString &folder : {QStringLiteral("qml"), QStringLiteral("icons")}) {
        if (QFileInfo(directory.absoluteFilePath(folder)).isDir())
            context.addHttpDirectory(folder, folder);
    }
}

std::unique_ptr<PluginRoleHook> Plugin::createHook(Role role)
{
    if (const auto it = m_hooks.find(role.id()); it != m_hooks.end())
        return it->second();
    if (role == Role::Field || role == Role::Office)
        return std::make_unique<AppProxyHook>();
    return nullptr;
}

QString PluginSql::statement(const QString &text) const
{
    return sql::withSchema(text, m_schema);
}

Result<QSqlQuery> PluginSql::exec(const QString &text, const QVariantList &bindValues) const
{
    return sql::exec(m_db, statement(text), sql::textNotNull(bindValues));
}

Result<QVariant> PluginSql::scalar(const QString &text, const QVariantList &bindValues) const
{
    return sql::scalar(m_db, statement(text), sql::textNotNull(bindValues));
}

Result<void> PluginSql::changeOne(const QString &text, const QVariantList &bindValues, const QString &what) const
{
    auto done = exec(text, bindValues);
    if (!done)
        return done.error();
    const int changed = done.value().numRowsAffected();
    if (changed == 1)
        return {};
    const QString row = what.isEmpty() ? QStringLiteral("the row") : what;
    return Error {changed == 0 ? QStringLiteral("there is no %1 (nothing was changed)").arg(row)
                               : QStringLiteral("%1 rows changed where one was meant (%2); nothing was changed").arg(changed).arg(row),
                  statement(text), {}};
}

Result<qint64> PluginSql::nextId(const QString &table, const QString &column) const
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,62}$"));
    if (!name.match(table).hasMatch() || !name.match(column).hasMatch())
        return Error {QStringLiteral("nextId(\"%1\", \"%2\"): a table and a column are plain names (letters, digits, _)")
                          .arg(table.left(64), column.left(64))};
    auto next = scalar(QStringLiteral("SELECT COALESCE(MAX(\"%1\"), 0) + 1 FROM {schema}.\"%2\"").arg(column, table));
    if (!next)
        return next.error();
    return next.value().toLongLong();
}

Result<std::vector<TuplePtr>> PluginSql::tuplesOf(const std::function<TuplePtr()> &make, const QString &text,
                                                  const QVariantList &bindValues) const
{
    auto query = exec(text, bindValues);
    if (!query)
        return query.error();
    QSqlQuery &rows = query.value();
    const TuplePtr prototype = make();
    const QStringList fields = prototype->fieldNames();
    const QSqlRecord record = rows.record();
    QStringList names;
    for (int i = 0; i < record.count(); ++i) {
        const QString column = record.fieldName(i);
        QString name = fields.contains(column) ? column : camelCase(column);
        if (!fields.contains(name)) {
            return Error {QStringLiteral("the column \"%1\" matches no field of %2 (its fields: %3); name it after a field "
                                         "(SELECT %1 AS <field>)")
                              .arg(column, prototype->tupleType(), fields.join(QStringLiteral(", "))),
                          statement(text), {}};
        }
        names << name;
    }
    std::vector<TuplePtr> tuples;
    while (rows.next()) {
        TuplePtr tuple = make();
        for (int i = 0; i < names.size(); ++i) {
            const QVariant value = rows.value(i);
            if (auto set = tuple->setField(names.at(i), Value::fromVariant(value)); !set) {
                return Error {QStringLiteral("the column \"%1\" does not fit the field %2 of %3: %4")
                                  .arg(record.fieldName(i), names.at(i), prototype->tupleType(), set.error().message()),
                              statement(text), {}};
            }
        }
        tuples.push_back(std::move(tuple));
    }
    return tuples;
}

namespace detail {

void failWith(PluginContext &context, const Error &error)
{
    qCWarning(context.log()).noquote() << error.message();
    throw std::runtime_error(error.peerMessage().toStdString());
}

void provideTuplesOf(PluginContext &context, const QString &tupleType, std::function<TuplePtr()> make,
                     QString statement, std::function<QVariantList(const TupleSelector &)> bindValues)
{
    Database *database = &context.database();
    const QString schema = context.schema();
    PluginContext *ctx = &context;
    context.observable().addTupleProvider(
        tupleType, [=](const Dict &, const TupleSelector &selector) {
            const QVariantList binds = bindValues(selector);
            auto rows = database->runSync(QStringList {schema}, [&](QSqlDatabase &db) {
                return PluginSql(db, schema).tuplesOf(make, statement, binds);
            });
            if (!rows)
                failWith(*ctx, rows.error().context(QStringLiteral("loading %1").arg(tupleType)));
            return ProvidedTuples {std::move(rows).value(), {}};
        });
}

void notifyChanged(PluginContext &context, const QStringList &tupleTypes)
{
    for (const QString &type : tupleTypes)
        context.observable().notifyOfTupleUpdateForTuple(type);
}

} // namespace detail

} // namespace peek
