<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ConnectionBadge</name>
    <message>
        <location filename="../app/qml/ConnectionBadge.qml" line="8"/>
        <source>%1 · %2 queued · %3 failed</source>
        <translation>%1 · %2 in Warteschlange · %3 fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../app/qml/ConnectionBadge.qml" line="9"/>
        <source>%1 · %2 queued</source>
        <translation>%1 · %2 in Warteschlange</translation>
    </message>
</context>
<context>
    <name>FailedActions</name>
    <message>
        <location filename="../app/field/FailedActions.qml" line="14"/>
        <source>Failed actions</source>
        <translation>Fehlgeschlagene Aktionen</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="30"/>
        <source>No failed actions.</source>
        <translation>Keine fehlgeschlagenen Aktionen.</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="67"/>
        <source>Retry</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="72"/>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="83"/>
        <source>Retry all</source>
        <translation>Alle erneut senden</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="88"/>
        <source>Discard all</source>
        <translation>Alle verwerfen</translation>
    </message>
</context>
<context>
    <name>FieldMain</name>
    <message>
        <location filename="../app/field/FieldMain.qml" line="28"/>
        <source>Peek field</source>
        <translation>Peek Außendienst</translation>
    </message>
</context>
<context>
    <name>Home</name>
    <message>
        <location filename="../app/field/Home.qml" line="19"/>
        <source>Home</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="45"/>
        <source>Peek</source>
        <translation>Peek</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="53"/>
        <source>Share position</source>
        <translation>Position teilen</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="61"/>
        <source>Outdoor</source>
        <translation>Draußen</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="103"/>
        <source>No plugins to show. An administrator enables them on the server.</source>
        <translation>Keine Plugins anzuzeigen. Ein Administrator aktiviert sie auf dem Server.</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="104"/>
        <source>No plugins on this device yet. They appear once the app has reached the server.</source>
        <translation>Noch keine Plugins auf diesem Gerät. Sie erscheinen, sobald die App den Server erreicht hat.</translation>
    </message>
</context>
<context>
    <name>PluginPage</name>
    <message>
        <location filename="../app/field/PluginPage.qml" line="34"/>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <location filename="../app/field/PluginPage.qml" line="39"/>
        <source>Back to home</source>
        <translation>Zurück zum Start</translation>
    </message>
</context>
<context>
    <name>PluginView</name>
    <message>
        <location filename="../app/qml/PluginView.qml" line="41"/>
        <source>No plugin chosen.</source>
        <translation>Kein Plugin gewählt.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="42"/>
        <source>%1 has no view on this device yet; it is fetched when the service is reachable.</source>
        <translation>%1 hat auf diesem Gerät noch keine Ansicht; sie wird geladen, sobald der Dienst erreichbar ist.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="52"/>
        <source>The view could not be created.</source>
        <translation>Die Ansicht konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="71"/>
        <source>%1 cannot be shown</source>
        <translation>%1 kann nicht angezeigt werden</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="87"/>
        <source>Other plugins keep working. Tell your administrator if this stays.</source>
        <translation>Andere Plugins funktionieren weiter. Sagen Sie Ihrem Administrator Bescheid, wenn das so bleibt.</translation>
    </message>
</context>
<context>
    <name>ServerSetup</name>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="15"/>
        <source>Peek: connect</source>
        <translation>Peek: verbinden</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="23"/>
        <source>Connect to Peek</source>
        <translation>Mit Peek verbinden</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="28"/>
        <source>Type the address of your Peek field service, e.g. peek.example.org:8000.</source>
        <translation>Geben Sie die Adresse Ihres Peek-Außendienst-Dienstes ein, z. B. peek.example.org:8000.</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="36"/>
        <source>host:port</source>
        <translation>Host:Port</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="52"/>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../app/field/StatusBar.qml" line="36"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="37"/>
        <source>Connecting</source>
        <translation>Verbinde</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="37"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="45"/>
        <source>%1 queued</source>
        <translation>%1 wartend</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="46"/>
        <source>%1 waiting to send</source>
        <translation>%1 warten auf Versand</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="56"/>
        <source>%1 failed</source>
        <translation>%1 fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="59"/>
        <source>Shows the failed actions, to retry or discard them</source>
        <translation>Zeigt die fehlgeschlagenen Aktionen, um sie erneut zu senden oder zu verwerfen</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="80"/>
        <source>Not synced</source>
        <translation>Nicht synchronisiert</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="82"/>
        <source>Synced %1</source>
        <translation>Synchronisiert %1</translation>
    </message>
</context>
<context>
    <name>peek::app::AppWindow</name>
    <message>
        <location filename="../app/appwindow.cpp" line="270"/>
        <source>“%1” is not a server address; type host:port, e.g. peek.example.org:8000</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peek::app::PluginBundles</name>
    <message>
        <location filename="../app/pluginbundles.cpp" line="134"/>
        <source>The view of %1 is missing on this device; it is fetched again when the service is reachable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="177"/>
        <source>Cannot get the plugin list from %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="179"/>
        <source>The plugin list from %1 is not JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="189"/>
        <source>The service listed a bundle with a bad name or hash: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="221"/>
        <source>cannot download %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="225"/>
        <source>The view of %1 (version %2) could not be updated: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="257"/>
        <source>its content does not match its hash (expected %1, got %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="260"/>
        <source>the bundle has no %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="269"/>
        <location filename="../app/pluginbundles.cpp" line="273"/>
        <source>cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/pluginbundles.cpp" line="278"/>
        <source>cannot move %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
