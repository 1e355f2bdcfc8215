// ServiceConfig::parse (config.json's bytes, as load() reads them) on any bytes: refused with a
// message, or completed with the defaults so that writing it back and reading it again adds
// nothing; the getters and the limits reader then run on it.
#include "fuzzcheck.h"

#include "service/serviceconfig.h"
#include "tuple/decodelimits.h"

#include <QJsonDocument>

using namespace peek;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = QStringLiteral("/fuzz/config.json");
    const auto config = ServiceConfig::parse(fuzz::bytesOf(data, size), path);
    if (!config) {
        PEEK_FUZZ_CHECK(config.error().message().contains(path));
        return 0;
    }
    const ServiceConfig &c = config.value();
    for (const QString &key : c.addedKeys())
        PEEK_FUZZ_CHECK(!c.value(key).isUndefined());
    (void)c.intValue(QStringLiteral("ports.field"));
    (void)c.stringValue(QStringLiteral("logging.level"));
    (void)c.stringList(QStringLiteral("plugin.enabled"));
    (void)c.stringList(QStringLiteral("roles"));
    VortexOptions vortex;
    DecodeLimits limits;
    c.readLimits(vortex, limits);

    // What load() writes back reads again as it is.
    const QByteArray written = QJsonDocument(c.object()).toJson(QJsonDocument::Indented);
    const auto reread = ServiceConfig::parse(written, path);
    PEEK_FUZZ_CHECK(reread);
    PEEK_FUZZ_CHECK(reread.value().addedKeys().isEmpty());
    PEEK_FUZZ_CHECK(reread.value().object() == c.object());
    return 0;
}
