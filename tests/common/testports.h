#pragma once
// Ports for servers a test starts in other processes. A port probed free with bind(0) and closed
// can be taken by another test running in parallel before the server binds it; instead, ctest
// gives every test a block of its own (PEEK_TEST_PORT_BASE, set by peek_add_test: 200 ports per
// test, below Linux's ephemeral range, so no kernel-chosen port lands there either). A port is
// still probed, and skipped when something else holds it. Run by hand (no block), a test falls
// back to a kernel-chosen free port.
#include <QHostAddress>
#include <QTcpServer>

namespace testing {

inline quint16 freePort()
{
    static int next = 0;
    const int base = qEnvironmentVariableIntValue("PEEK_TEST_PORT_BASE");
    if (base > 0) {
        while (next < 200) {
            const quint16 port = quint16(base + next++);
            QTcpServer probe;
            if (probe.listen(QHostAddress::LocalHost, port))
                return port;
        }
        qFatal("testports: the test's block of 200 ports from %d is used up", base);
    }
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace testing
