// peek_plugin_noop: runs on every role and proves each hook and lifecycle phase. Every phase is
// appended to <home>/plugin-files/peek_plugin_noop/<role>.phases (so even stop and unload leave a
// trace), and roles with a port serve the phases seen so far at GET /peek_plugin_noop/phases.
// On logic it also calls the tutorial's published API, as a plugin using another plugin.
#include "tutorialapi.h" // the tutorial's public API header, nothing private

#include "peek/plugin.h"
#include "peek/rpc.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>

namespace noop {
namespace {

class NoopHook final : public peek::PluginRoleHook
{
public:
    void load(peek::PluginContext &ctx) override
    {
        m_phasesFile = QDir(ctx.fileStorageDirectory()).absoluteFilePath(ctx.role().name() + QStringLiteral(".phases"));
        record(ctx, QStringLiteral("load"));
        if (ctx.role() == peek::Role::Logic)
            ctx.declareSettings({{QStringLiteral("note"), peek::SettingType::String, QStringLiteral("nothing to see"),
                                  QStringLiteral("A setting that proves plugin settings load")}});
    }

    void start(peek::PluginContext &ctx) override
    {
        record(ctx, QStringLiteral("start"));
        const bool withPort = ctx.role() == peek::Role::Logic || ctx.role() == peek::Role::Field
            || ctx.role() == peek::Role::Office;
        if (withPort) {
            ctx.addHttpResource(QStringLiteral("phases"), [this](const peek::HttpRequest &) {
                return peek::HttpResponse::json(QJsonDocument(QJsonArray::fromStringList(m_phases)));
            });
        }
        // A raw endpoint: answers {"plugin": "peek_plugin_noop", "key": "ping"} with the role.
        const QString role = ctx.role().name();
        peek::Dict pingFilt;
        pingFilt.insert(QStringLiteral("key"), QStringLiteral("ping"));
        ctx.addEndpoint(pingFilt, [role](const peek::PayloadEnvelope &envelope, const peek::MessageSource &source) {
            peek::PayloadEnvelope reply;
            reply.filt = envelope.filt;
            reply.filt.insert(QStringLiteral("role"), role);
            source.reply(reply);
        });
        if (ctx.role() == peek::Role::Logic) {
            auto *tutorial = ctx.otherPluginApi<tutorial::TutorialApi>(QStringLiteral("peek_plugin_tutorial"));
            if (!tutorial)
                throw peek::PluginError(QStringLiteral("peek_plugin_tutorial's API is not published on logic"));
            const QLoggingCategory &log = ctx.log();
            peek::onFinished(&ctx, tutorial->addStringInt(QStringLiteral("noop called the tutorial's API"), 42),
                             [&log](const QFuture<qint64> &done) {
                try {
                    if (peek::hasResult(done))
                        qCInfo(log) << "the tutorial stored noop's row as StringInt" << done.result();
                } catch (const std::exception &e) {
                    qCWarning(log) << "the tutorial's API failed:" << e.what();
                }
            });
            // A worker task through the tutorial's API; the answer becomes a row the apps see.
            peek::onFinished(&ctx, peek::thenOn(&ctx, tutorial->pickRandomNumber(1000), [tutorial](qint64 number) {
                return tutorial->addStringInt(QStringLiteral("noop asked a worker for a random number"), number);
            }).unwrap(), [&log](const QFuture<qint64> &done) {
                try {
                    if (peek::hasResult(done))
                        qCInfo(log) << "a worker picked noop's random number; stored as StringInt" << done.result();
                } catch (const std::exception &e) {
                    qCWarning(log) << "the tutorial's pickRandomNumber failed:" << e.what();
                }
            });
            record(ctx, QStringLiteral("called peek_plugin_tutorial"));
        }
    }

    void stop(peek::PluginContext &ctx) override { record(ctx, QStringLiteral("stop")); }
    void unload(peek::PluginContext &ctx) override { record(ctx, QStringLiteral("unload")); }

private:
    void record(peek::PluginContext &ctx, const QString &phase)
    {
        m_phases << phase;
        qCInfo(ctx.log()).noquote() << "phase" << phase << "on" << ctx.role().name();
        QFile file(m_phasesFile);
        if (file.open(QIODevice::Append | QIODevice::Text))
            file.write(phase.toUtf8() + '\n');
    }

    QString m_phasesFile;
    QStringList m_phases;
};

} // namespace

class NoopPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role) override { return std::make_unique<NoopHook>(); }
};

} // namespace noop

#include "noopplugin.moc"
