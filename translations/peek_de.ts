<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AdminViewHost</name>
    <message>
        <location filename="../app/admin/qml/AdminViewHost.qml" line="14"/>
        <source>The view could not be loaded.</source>
        <translation>Die Ansicht konnte nicht geladen werden.</translation>
    </message>
</context>
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
    <name>DeviceGate</name>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="28"/>
        <source>Waiting for approval</source>
        <translation>Wartet auf Freigabe</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="29"/>
        <source>Access revoked</source>
        <translation>Zugriff widerrufen</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="30"/>
        <source>Enrol this device</source>
        <translation>Dieses Gerät registrieren</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="31"/>
        <source>Checking this device</source>
        <translation>Gerät wird geprüft</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="39"/>
        <source>An administrator must approve “%1” before it can be used. This screen moves on by itself once it is approved.</source>
        <translation>Ein Administrator muss „%1“ freigeben, bevor es verwendet werden kann. Diese Anzeige geht nach der Freigabe von selbst weiter.</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="41"/>
        <source>An administrator revoked this device&apos;s access. Ask them to approve it again.</source>
        <translation>Ein Administrator hat den Zugriff dieses Geräts widerrufen. Bitten Sie ihn, das Gerät erneut freizugeben.</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="43"/>
        <source>Before this %1 device is used, the service must know it. Give it a name your administrator will recognise; they approve it.</source>
        <translation>Bevor dieses Gerät (%1) verwendet werden kann, muss es beim Dienst bekannt sein. Geben Sie ihm einen Namen, den Ihr Administrator wiedererkennt; er gibt es dann frei.</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="45"/>
        <source>Asking the service whether this device may be used…</source>
        <translation>Der Dienst wird gefragt, ob dieses Gerät verwendet werden darf…</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="46"/>
        <source>The service cannot be reached. This device is checked as soon as it can be.</source>
        <translation>Der Dienst ist nicht erreichbar. Das Gerät wird geprüft, sobald er erreichbar ist.</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="62"/>
        <source>Device name</source>
        <translation>Gerätename</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="73"/>
        <source>Enrol</source>
        <translation>Registrieren</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="92"/>
        <source>Administrator: peek-server admin devices approve “%1”</source>
        <translation>Administrator: peek-server admin devices approve „%1“</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="123"/>
        <location filename="../app/qml/DeviceGate.qml" line="170"/>
        <source>Log in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="129"/>
        <source>Log in to use %1.</source>
        <translation>Melden Sie sich an, um %1 zu verwenden.</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="129"/>
        <source>this device</source>
        <translation>dieses Gerät</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="138"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="148"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location filename="../app/qml/DeviceGate.qml" line="170"/>
        <source>Log in anyway</source>
        <translation>Trotzdem anmelden</translation>
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
        <location filename="../app/field/FailedActions.qml" line="73"/>
        <source>Retry</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="79"/>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="90"/>
        <source>Retry all</source>
        <translation>Alle erneut senden</translation>
    </message>
    <message>
        <location filename="../app/field/FailedActions.qml" line="95"/>
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
        <location filename="../app/field/Home.qml" line="60"/>
        <source>Outdoor</source>
        <translation>Draußen</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="101"/>
        <source>No plugins to show. An administrator enables them on the server.</source>
        <translation>Keine Plugins anzuzeigen. Ein Administrator aktiviert sie auf dem Server.</translation>
    </message>
    <message>
        <location filename="../app/field/Home.qml" line="102"/>
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
        <location filename="../app/qml/PluginView.qml" line="43"/>
        <source>No plugin chosen.</source>
        <translation>Kein Plugin gewählt.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="44"/>
        <source>%1 has no view on this device yet; it is fetched when the service is reachable.</source>
        <translation>%1 hat auf diesem Gerät noch keine Ansicht; sie wird geladen, sobald der Dienst erreichbar ist.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="54"/>
        <source>The view could not be created.</source>
        <translation>Die Ansicht konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="73"/>
        <source>%1 cannot be shown</source>
        <translation>%1 kann nicht angezeigt werden</translation>
    </message>
    <message>
        <location filename="../app/qml/PluginView.qml" line="89"/>
        <source>Other plugins keep working. Tell your administrator if this stays.</source>
        <translation>Andere Plugins funktionieren weiter. Sagen Sie Ihrem Administrator Bescheid, wenn das so bleibt.</translation>
    </message>
</context>
<context>
    <name>ServerSetup</name>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="18"/>
        <source>Peek: connect</source>
        <translation>Peek: verbinden</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="26"/>
        <source>Connect to Peek</source>
        <translation>Mit Peek verbinden</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="32"/>
        <source>Type the address of your Peek office service, e.g. peek.example.org:8002.</source>
        <translation>Geben Sie die Adresse Ihres Peek-Bürodienstes ein, z. B. peek.example.org:8002.</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="33"/>
        <source>Type the address of your Peek field service, e.g. peek.example.org:8000.</source>
        <translation>Geben Sie die Adresse Ihres Peek-Außendienst-Dienstes ein, z. B. peek.example.org:8000.</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="41"/>
        <source>host:port</source>
        <translation>Host:Port</translation>
    </message>
    <message>
        <location filename="../app/field/ServerSetup.qml" line="64"/>
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
    <message>
        <location filename="../app/field/StatusBar.qml" line="93"/>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <location filename="../app/field/StatusBar.qml" line="93"/>
        <source>%1 · Log out</source>
        <translation>%1 · Abmelden</translation>
    </message>
</context>
<context>
    <name>TableEditor</name>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="69"/>
        <source>%1 must be a whole number.</source>
        <translation>%1 muss eine ganze Zahl sein.</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="77"/>
        <source>%1 must be a number.</source>
        <translation>%1 muss eine Zahl sein.</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/qml/TableEditor.qml" line="290"/>
        <source>%n row(s), from the cache</source>
        <translation>
            <numerusform>%n Zeile, aus dem Zwischenspeicher</numerusform>
            <numerusform>%n Zeilen, aus dem Zwischenspeicher</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/qml/TableEditor.qml" line="290"/>
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n Zeile</numerusform>
            <numerusform>%n Zeilen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="302"/>
        <source>Add row</source>
        <translation>Zeile hinzufügen</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="358"/>
        <location filename="../app/qml/TableEditor.qml" line="431"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="365"/>
        <location filename="../app/qml/TableEditor.qml" line="439"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="431"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="439"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="451"/>
        <source>No rows yet.</source>
        <translation>Noch keine Zeilen.</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="465"/>
        <source>Delete row %1?</source>
        <translation>Zeile %1 löschen?</translation>
    </message>
    <message>
        <location filename="../app/qml/TableEditor.qml" line="467"/>
        <source>The row is deleted for everyone. This cannot be undone.</source>
        <translation>Die Zeile wird für alle gelöscht. Das kann nicht rückgängig gemacht werden.</translation>
    </message>
</context>
<context>
    <name>peek::app::AdminWindow</name>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="130"/>
        <location filename="../app/admin/adminwindow.cpp" line="196"/>
        <source>Peek Admin</source>
        <translation>Peek Admin</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="137"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="138"/>
        <source>&amp;Install Plugin Package...</source>
        <translation>Plugin-Paket &amp;installieren...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="139"/>
        <location filename="../app/admin/adminwindow.cpp" line="411"/>
        <source>Install Plugin Package</source>
        <translation>Plugin-Paket installieren</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="140"/>
        <location filename="../app/admin/adminwindow.cpp" line="412"/>
        <source>Peek plugin packages (*.peekplugin)</source>
        <translation>Peek-Plugin-Pakete (*.peekplugin)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="145"/>
        <source>&amp;Log Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="147"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="148"/>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="201"/>
        <source>Log in to the logic service&apos;s admin port as a user with the admin role.</source>
        <translation>Melden Sie sich am Admin-Port des Logic-Dienstes als Benutzer mit der Rolle admin an.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="206"/>
        <source>host:8010 or wss://host:8010</source>
        <translation>host:8010 oder wss://host:8010</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="212"/>
        <source>&amp;Logic server:</source>
        <translation>&amp;Logic-Server:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="213"/>
        <source>&amp;User:</source>
        <translation>&amp;Benutzer:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="214"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="215"/>
        <source>Log In</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="246"/>
        <source>&apos;%1&apos; is not a logic address: use host:8010 or wss://host:8010.</source>
        <translation>„%1“ ist keine Logic-Adresse: Verwenden Sie host:8010 oder wss://host:8010.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="256"/>
        <location filename="../app/admin/adminwindow.cpp" line="711"/>
        <location filename="../app/admin/adminwindow.cpp" line="746"/>
        <location filename="../app/admin/adminwindow.cpp" line="1007"/>
        <location filename="../app/admin/adminwindow.cpp" line="1023"/>
        <location filename="../app/admin/adminwindow.cpp" line="1047"/>
        <location filename="../app/admin/adminwindow.cpp" line="1079"/>
        <location filename="../app/admin/adminwindow.cpp" line="1194"/>
        <location filename="../app/admin/adminwindow.cpp" line="1221"/>
        <location filename="../app/admin/adminwindow.cpp" line="1239"/>
        <location filename="../app/admin/adminwindow.cpp" line="1252"/>
        <location filename="../app/admin/adminwindow.cpp" line="1275"/>
        <location filename="../app/admin/adminwindow.cpp" line="1325"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="290"/>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="351"/>
        <source>%1: %2?</source>
        <translation>%1: %2?</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="985"/>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="400"/>
        <source>Plugins</source>
        <translation>Plugins</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="479"/>
        <location filename="../app/admin/adminwindow.cpp" line="989"/>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="504"/>
        <location filename="../app/admin/adminwindow.cpp" line="992"/>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="602"/>
        <location filename="../app/admin/adminwindow.cpp" line="994"/>
        <source>Tasks</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="619"/>
        <source>Logs</source>
        <translation>Protokolle</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="380"/>
        <location filename="../app/admin/adminwindow.cpp" line="643"/>
        <source>Audit</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="401"/>
        <source>Plugin</source>
        <translation>Plugin</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="402"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="403"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="404"/>
        <source>Process</source>
        <translation>Prozess</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="405"/>
        <location filename="../app/admin/adminwindow.cpp" line="482"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="406"/>
        <location filename="../app/admin/adminwindow.cpp" line="610"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="408"/>
        <source>&amp;Install or Upgrade...</source>
        <translation>&amp;Installieren oder aktualisieren...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="417"/>
        <source>&amp;Enable</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="419"/>
        <source>%1 enabled on every service</source>
        <translation>%1 auf allen Diensten aktiviert</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="421"/>
        <location filename="../app/admin/adminwindow.cpp" line="559"/>
        <source>&amp;Disable</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="423"/>
        <source>%1 disabled on every service</source>
        <translation>%1 auf allen Diensten deaktiviert</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="425"/>
        <source>&amp;Roll Back</source>
        <translation>&amp;Zurücksetzen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="427"/>
        <source>%1 rolled back to the version before</source>
        <translation>%1 auf die vorherige Version zurückgesetzt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="436"/>
        <source>Drop a .peekplugin file here to install or upgrade it on every service.</source>
        <translation>Legen Sie hier eine .peekplugin-Datei ab, um sie auf allen Diensten zu installieren oder zu aktualisieren.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="460"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="480"/>
        <location filename="../app/admin/adminwindow.cpp" line="506"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="481"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="483"/>
        <source>Online via</source>
        <translation>Online über</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="484"/>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="485"/>
        <source>App version</source>
        <translation>App-Version</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="486"/>
        <location filename="../app/admin/adminwindow.cpp" line="505"/>
        <location filename="../app/admin/adminwindow.cpp" line="648"/>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="487"/>
        <source>Last position</source>
        <translation>Letzte Position</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="488"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="490"/>
        <source>&amp;Approve</source>
        <translation>&amp;Freigeben</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="492"/>
        <source>%1 approved</source>
        <translation>%1 freigegeben</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="494"/>
        <source>&amp;Revoke</source>
        <translation>&amp;Widerrufen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="496"/>
        <source>%1 revoked</source>
        <translation>%1 widerrufen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="498"/>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="500"/>
        <source>%1 removed</source>
        <translation>%1 entfernt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="507"/>
        <location filename="../app/admin/adminwindow.cpp" line="545"/>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="508"/>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="509"/>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="510"/>
        <source>Logged in on</source>
        <translation>Angemeldet auf</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="512"/>
        <source>&amp;Add User...</source>
        <translation>Benutzer &amp;hinzufügen...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="516"/>
        <location filename="../app/admin/adminwindow.cpp" line="519"/>
        <location filename="../app/admin/adminwindow.cpp" line="523"/>
        <source>Add User</source>
        <translation>Benutzer hinzufügen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="516"/>
        <source>User name:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="519"/>
        <source>Password of %1:</source>
        <translation>Passwort von %1:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="523"/>
        <source>Roles (comma-separated: admin, field, office):</source>
        <translation>Rollen (durch Komma getrennt: admin, field, office):</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="530"/>
        <source>user %1 added</source>
        <translation>Benutzer %1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="533"/>
        <source>Reset &amp;Password...</source>
        <translation>&amp;Passwort zurücksetzen...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="536"/>
        <source>Reset Password</source>
        <translation>Passwort zurücksetzen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="536"/>
        <source>New password of %1:</source>
        <translation>Neues Passwort von %1:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="540"/>
        <source>password of %1 set</source>
        <translation>Passwort von %1 gesetzt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="542"/>
        <source>&amp;Roles...</source>
        <translation>&amp;Rollen...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="545"/>
        <source>Roles of %1 (comma-separated):</source>
        <translation>Rollen von %1 (durch Komma getrennt):</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="549"/>
        <source>roles of %1 set</source>
        <translation>Rollen von %1 gesetzt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="551"/>
        <source>E&amp;nable</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="553"/>
        <source>%1 may log in</source>
        <translation>%1 darf sich anmelden</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="555"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Entsperren</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="557"/>
        <source>%1 unlocked: the failed logins are forgotten</source>
        <translation>%1 entsperrt: die fehlgeschlagenen Anmeldungen sind vergessen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="561"/>
        <source>%1 disabled</source>
        <translation>%1 deaktiviert</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="565"/>
        <source>Directories (LDAP / Active Directory)</source>
        <translation>Verzeichnisse (LDAP / Active Directory)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="576"/>
        <source>Set From &amp;File...</source>
        <translation>Aus &amp;Datei setzen...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="578"/>
        <source>&amp;Test Connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="589"/>
        <source>Directories</source>
        <translation>Verzeichnisse</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="589"/>
        <source>JSON files (*.json)</source>
        <translation>JSON-Dateien (*.json)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="598"/>
        <source>directories set</source>
        <translation>Verzeichnisse gesetzt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="603"/>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="604"/>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="605"/>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="606"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="607"/>
        <source>Failed task</source>
        <translation>Fehlgeschlagene Aufgabe</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="608"/>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="609"/>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="612"/>
        <source>&amp;Retry</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="615"/>
        <source>task %1 queued again</source>
        <translation>Aufgabe %1 erneut in Warteschlange gestellt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="619"/>
        <source>Record</source>
        <translation>Eintrag</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="628"/>
        <source>&amp;Follow</source>
        <translation>&amp;Mitverfolgen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="631"/>
        <source>Service:</source>
        <translation>Dienst:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="633"/>
        <source>Level:</source>
        <translation>Stufe:</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="644"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="645"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="646"/>
        <source>Part</source>
        <translation>Bereich</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="647"/>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="649"/>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="650"/>
        <source>From</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="651"/>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="717"/>
        <source>Your session ended: %1. Log in again.</source>
        <translation>Ihre Sitzung wurde beendet: %1. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="718"/>
        <source>logic no longer knows it</source>
        <translation>Logic kennt sie nicht mehr</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="735"/>
        <source>Connecting to %1...</source>
        <translation>Verbinde mit %1...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="738"/>
        <location filename="../app/admin/adminwindow.cpp" line="786"/>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="748"/>
        <location filename="../app/admin/adminwindow.cpp" line="768"/>
        <source>Your session ended: %1</source>
        <translation>Ihre Sitzung wurde beendet: %1</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="756"/>
        <source>Cannot reach logic at %1: %2. Check the address (logic&apos;s admin port, 8010 by default).</source>
        <translation>Logic unter %1 ist nicht erreichbar: %2. Prüfen Sie die Adresse (Admin-Port von Logic, standardmäßig 8010).</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="761"/>
        <source>Reconnecting to %1: %2</source>
        <translation>Verbinde erneut mit %1: %2</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="764"/>
        <source>Reconnecting to %1...</source>
        <translation>Verbinde erneut mit %1...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="798"/>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="818"/>
        <source>The plugins&apos; admin views cannot be shown: %1</source>
        <translation>Die Verwaltungsansichten der Plugins können nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="839"/>
        <source>Logged out.</source>
        <translation>Abgemeldet.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="916"/>
        <source>%1: %2 started</source>
        <translation>%1: %2 gestartet</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="917"/>
        <source>%1: waiting (runs %2)</source>
        <translation>%1: wartet (läuft: %2)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="917"/>
        <source>nothing</source>
        <translation>nichts</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="918"/>
        <source>%1: failed, %2 runs: %3</source>
        <translation>%1: fehlgeschlagen, %2 läuft: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="919"/>
        <source>%1: %2 %3</source>
        <translation>%1: %2 %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="924"/>
        <source>%1 %2 on the services: %3</source>
        <translation>%1 %2 auf den Diensten: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="929"/>
        <source>%1 %2 runs on every service: %3</source>
        <translation>%1 %2 läuft auf allen Diensten: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="929"/>
        <source>%1 %2 does not run everywhere: %3</source>
        <translation>%1 %2 läuft nicht überall: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="947"/>
        <source>&lt;tr&gt;&lt;td&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%2:%3&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;td&gt;up %5 min&lt;/td&gt;&lt;td&gt;%6&lt;/td&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;td&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%2:%3&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;td&gt;seit %5 Min.&lt;/td&gt;&lt;td&gt;%6&lt;/td&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="955"/>
        <source>%1 on %2: %3</source>
        <translation>%1 auf %2: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="958"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="987"/>
        <source>Services (%1)</source>
        <translation>Dienste (%1)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="990"/>
        <source>%1 online, %2 waiting for approval</source>
        <translation>%1 online, %2 warten auf Freigabe</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="992"/>
        <source>%1 logged in of %2</source>
        <translation>%1 von %2 angemeldet</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="995"/>
        <source>%1 queued, %2 running, %3 failed</source>
        <translation>%1 in Warteschlange, %2 laufend, %3 fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="997"/>
        <source>Failed plugins</source>
        <translation>Fehlgeschlagene Plugins</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="998"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1083"/>
        <source>Settings of %1</source>
        <translation>Einstellungen von %1</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1111"/>
        <source>(set; type to change)</source>
        <translation>(gesetzt; zum Ändern eingeben)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1111"/>
        <source>(not set)</source>
        <translation>(nicht gesetzt)</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1131"/>
        <source>&amp;Save Settings</source>
        <translation>Einstellungen &amp;speichern</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1195"/>
        <location filename="../app/admin/adminwindow.cpp" line="1227"/>
        <source>%1: %2 saved</source>
        <translation>%1: %2 gespeichert</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1243"/>
        <source>No directories: users log in with their Peek password only.</source>
        <translation>Keine Verzeichnisse: Benutzer melden sich nur mit ihrem Peek-Passwort an.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1250"/>
        <source>Testing...</source>
        <translation>Wird getestet...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1261"/>
        <source>%1 (%2) works: %3</source>
        <translation>%1 (%2) funktioniert: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1261"/>
        <source>%1 (%2) FAILED: %3</source>
        <translation>%1 (%2) FEHLGESCHLAGEN: %3</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1264"/>
        <source>No directories are configured.</source>
        <translation>Es sind keine Verzeichnisse eingerichtet.</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1279"/>
        <source>Not done</source>
        <translation>Nicht ausgeführt</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1291"/>
        <source>Confirm</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="594"/>
        <location filename="../app/admin/adminwindow.cpp" line="1302"/>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1318"/>
        <source>Uploading %1...</source>
        <translation>%1 wird hochgeladen...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1328"/>
        <source>%1 was not installed: %2</source>
        <translation>%1 wurde nicht installiert: %2</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1335"/>
        <source>Checking %1 and starting it on logic...</source>
        <translation>%1 wird geprüft und auf Logic gestartet...</translation>
    </message>
    <message>
        <location filename="../app/admin/adminwindow.cpp" line="1340"/>
        <source>Installed %1 on logic; waiting for the services...</source>
        <translation>%1 auf Logic installiert; warte auf die Dienste...</translation>
    </message>
</context>
<context>
    <name>peek::app::AppWindow</name>
    <message>
        <location filename="../app/field/appwindow.cpp" line="295"/>
        <source>“%1” is not a server address; type host:port, e.g. peek.example.org:8000</source>
        <translation>„%1“ ist keine Serveradresse; geben Sie host:port ein, z. B. peek.example.org:8000</translation>
    </message>
    <message>
        <location filename="../app/field/appwindow.cpp" line="324"/>
        <source>%1 answers, but it is not a Peek %2 service. Check the port: the field service usually listens on 8000, the office service on 8002.</source>
        <translation>%1 antwortet, ist aber kein Peek-Dienst für %2. Prüfen Sie den Port: Der Außendienst-Dienst lauscht meist auf 8000, der Bürodienst auf 8002.</translation>
    </message>
    <message>
        <location filename="../app/field/appwindow.cpp" line="327"/>
        <source>Cannot reach %1: %2. Check the address and that the service runs.</source>
        <translation>%1 ist nicht erreichbar: %2. Prüfen Sie die Adresse und ob der Dienst läuft.</translation>
    </message>
</context>
<context>
    <name>peek::app::FailedActionsDialog</name>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="37"/>
        <source>Failed actions</source>
        <translation>Fehlgeschlagene Aktionen</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="50"/>
        <source>Plugin</source>
        <translation>Plugin</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="50"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="50"/>
        <source>Failed at</source>
        <translation>Fehlgeschlagen am</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="50"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="56"/>
        <source>&amp;Retry</source>
        <translation>&amp;Erneut senden</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="57"/>
        <source>&amp;Discard</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="58"/>
        <source>Retry &amp;all</source>
        <translation>&amp;Alle erneut senden</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="62"/>
        <source>Sends the selected actions again</source>
        <translation>Sendet die ausgewählten Aktionen erneut</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="63"/>
        <source>Drops the selected actions; their changes are not made</source>
        <translation>Verwirft die ausgewählten Aktionen; ihre Änderungen werden nicht ausgeführt</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="107"/>
        <source>No failed actions: everything this device queued was delivered or is still waiting to be sent.</source>
        <translation>Keine fehlgeschlagenen Aktionen: Alles, was dieses Gerät in die Warteschlange gestellt hat, wurde zugestellt oder wartet noch auf den Versand.</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="110"/>
        <source>One action could not be done. Retry sends it again (after fixing the cause); discard drops it.</source>
        <translation>Eine Aktion konnte nicht ausgeführt werden. „Erneut senden“ schickt sie noch einmal (nachdem die Ursache behoben ist); „Verwerfen“ entfernt sie.</translation>
    </message>
    <message>
        <location filename="../app/office/failedactionsdialog.cpp" line="112"/>
        <source>%1 actions could not be done. Retry sends them again (after fixing the cause); discard drops them.</source>
        <translation>%1 Aktionen konnten nicht ausgeführt werden. „Erneut senden“ schickt sie noch einmal (nachdem die Ursache behoben ist); „Verwerfen“ entfernt sie.</translation>
    </message>
</context>
<context>
    <name>peek::app::OfficeWindow</name>
    <message>
        <location filename="../app/office/officewindow.cpp" line="67"/>
        <location filename="../app/office/officewindow.cpp" line="540"/>
        <source>Peek Office</source>
        <translation>Peek Office</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="116"/>
        <source>PLUGINS</source>
        <translation>PLUGINS</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="135"/>
        <source>Plugins</source>
        <translation>Plugins</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="182"/>
        <location filename="../app/office/officewindow.cpp" line="568"/>
        <location filename="../app/office/officewindow.cpp" line="574"/>
        <location filename="../app/office/officewindow.cpp" line="583"/>
        <source>Change Server…</source>
        <translation>Server wechseln…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="240"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="241"/>
        <source>Change &amp;server…</source>
        <translation>&amp;Server wechseln…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="243"/>
        <source>&amp;Log Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="249"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="253"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="255"/>
        <source>&amp;Reload Plugin View</source>
        <translation>Plugin-Ansicht &amp;neu laden</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="258"/>
        <source>Refresh Plugin &amp;List</source>
        <translation>Plugin-&amp;Liste aktualisieren</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="261"/>
        <source>&amp;Actions</source>
        <translation>A&amp;ktionen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="263"/>
        <source>&amp;Retry Failed Actions</source>
        <translation>Fehlgeschlagene Aktionen &amp;erneut senden</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="264"/>
        <source>&amp;Discard Failed Actions…</source>
        <translation>Fehlgeschlagene Aktionen &amp;verwerfen…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="267"/>
        <source>&amp;Show Failed Actions…</source>
        <translation>Fehlgeschlagene Aktionen &amp;anzeigen…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="269"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="270"/>
        <source>&amp;About Peek</source>
        <translation>&amp;Über Peek</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="289"/>
        <source>Shows the failed actions, to retry or discard them</source>
        <translation>Zeigt die fehlgeschlagenen Aktionen, um sie erneut zu senden oder zu verwerfen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="341"/>
        <location filename="../app/office/officewindow.cpp" line="592"/>
        <source>No server</source>
        <translation>Kein Server</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="341"/>
        <source>Server %1</source>
        <translation>Server %1</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="452"/>
        <source>Connecting to %1</source>
        <translation>Verbinde mit %1</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="537"/>
        <source>Version %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="540"/>
        <source>%1 — Peek Office</source>
        <translation>%1 — Peek Office</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="561"/>
        <source>Connect to your Peek server</source>
        <translation>Mit Ihrem Peek-Server verbinden</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="562"/>
        <source>Tell Peek where the office service runs (host:port); it is remembered for the next start.</source>
        <translation>Geben Sie an, wo der Bürodienst läuft (host:port); die Adresse wird für den nächsten Start gespeichert.</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="564"/>
        <source>Choose Server…</source>
        <translation>Server wählen…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="566"/>
        <source>Peek cannot start</source>
        <translation>Peek kann nicht starten</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="571"/>
        <source>No plugins</source>
        <translation>Keine Plugins</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="573"/>
        <source>The office service at %1 has no plugins with an office view.</source>
        <translation>Der Bürodienst unter %1 hat keine Plugins mit Büroansicht.</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="576"/>
        <source>No plugins yet</source>
        <translation>Noch keine Plugins</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="579"/>
        <source>Fetching the plugins from the office service at %1…</source>
        <translation>Plugins werden vom Bürodienst unter %1 geladen…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="580"/>
        <source>Plugins appear once Peek has reached the office service at %1. Peek keeps trying; check the address if this stays.</source>
        <translation>Plugins erscheinen, sobald Peek den Bürodienst unter %1 erreicht hat. Peek versucht es weiter; prüfen Sie die Adresse, falls das so bleibt.</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="595"/>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="598"/>
        <source>Connecting</source>
        <translation>Verbinde</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="601"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="610"/>
        <source>No server address yet (File › Change Server…)</source>
        <translation>Noch keine Serveradresse (Datei › Server wechseln…)</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="611"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="618"/>
        <source>%1 waiting to send</source>
        <translation>%1 warten auf Versand</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="619"/>
        <source>Actions kept on this device until the service confirms them</source>
        <translation>Aktionen, die auf diesem Gerät bleiben, bis der Dienst sie bestätigt</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="620"/>
        <source>%1 failed</source>
        <translation>%1 fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="634"/>
        <source>Not synced</source>
        <translation>Nicht synchronisiert</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="635"/>
        <source>No data has arrived from the service yet</source>
        <translation>Vom Dienst sind noch keine Daten eingetroffen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="639"/>
        <source>Synced %1</source>
        <translation>Synchronisiert %1</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="641"/>
        <source>Data last arrived %1</source>
        <translation>Zuletzt Daten empfangen: %1</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="649"/>
        <source>Address of the office service (host:port):</source>
        <translation>Adresse des Bürodienstes (host:port):</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="652"/>
        <source>Change Server</source>
        <translation>Server wechseln</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="661"/>
        <source>“%1” is not a server address; type host:port, e.g. peek.example.org:8002.

Address of the office service (host:port):</source>
        <translation>„%1“ ist keine Serveradresse; geben Sie host:port ein, z. B. peek.example.org:8002.

Adresse des Bürodienstes (host:port):</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="678"/>
        <source>Fetching the plugin list…</source>
        <translation>Plugin-Liste wird geladen…</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="686"/>
        <source>1 failed action queued again</source>
        <translation>1 fehlgeschlagene Aktion erneut in Warteschlange gestellt</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="687"/>
        <source>%1 failed actions queued again</source>
        <translation>%1 fehlgeschlagene Aktionen erneut in Warteschlange gestellt</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="697"/>
        <source>Discard Failed Actions</source>
        <translation>Fehlgeschlagene Aktionen verwerfen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="698"/>
        <source>Discard the failed action? Its change will not be made.</source>
        <translation>Die fehlgeschlagene Aktion verwerfen? Ihre Änderung wird nicht ausgeführt.</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="699"/>
        <source>Discard %1 failed actions? Their changes will not be made.</source>
        <translation>%1 fehlgeschlagene Aktionen verwerfen? Ihre Änderungen werden nicht ausgeführt.</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="704"/>
        <source>1 failed action discarded</source>
        <translation>1 fehlgeschlagene Aktion verworfen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="705"/>
        <source>%1 failed actions discarded</source>
        <translation>%1 fehlgeschlagene Aktionen verworfen</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="724"/>
        <source>About Peek</source>
        <translation>Über Peek</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="725"/>
        <source>&lt;h3&gt;Peek Office %1&lt;/h3&gt;&lt;p&gt;The office app of Peek: the plugins&apos; desktop views, working offline with the data last received and the actions queued on this computer.&lt;/p&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Server&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%2&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Data&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%3&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Qt&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Peek Office %1&lt;/h3&gt;&lt;p&gt;Die Büro-App von Peek: die Desktop-Ansichten der Plugins, offline nutzbar mit den zuletzt empfangenen Daten und den auf diesem Computer in der Warteschlange stehenden Aktionen.&lt;/p&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Server&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%2&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Daten&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%3&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;Qt&lt;/b&gt;&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <location filename="../app/office/officewindow.cpp" line="733"/>
        <source>none yet</source>
        <translation>noch keiner</translation>
    </message>
</context>
<context>
    <name>peek::app::PluginBundles</name>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="135"/>
        <source>The view of %1 is missing on this device; it is fetched again when the service is reachable.</source>
        <translation>Die Ansicht von %1 fehlt auf diesem Gerät; sie wird erneut geladen, sobald der Dienst erreichbar ist.</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="173"/>
        <source>Cannot get the plugin list from %1: %2</source>
        <translation>Die Plugin-Liste von %1 kann nicht abgerufen werden: %2</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="175"/>
        <source>The plugin list from %1 is not JSON</source>
        <translation>Die Plugin-Liste von %1 ist kein JSON</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="186"/>
        <source>The service listed a bundle with a bad name or hash: %1</source>
        <translation>Der Dienst hat ein Paket mit ungültigem Namen oder Hash aufgeführt: %1</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="216"/>
        <source>cannot download %1: %2</source>
        <translation>%1 kann nicht heruntergeladen werden: %2</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="220"/>
        <source>The view of %1 (version %2) could not be updated: %3</source>
        <translation>Die Ansicht von %1 (Version %2) konnte nicht aktualisiert werden: %3</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="252"/>
        <source>its content does not match its hash (expected %1, got %2)</source>
        <translation>der Inhalt passt nicht zum Hash (erwartet %1, erhalten %2)</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="255"/>
        <source>the bundle has no %1</source>
        <translation>das Paket enthält keine Datei %1</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="264"/>
        <location filename="../app/link/pluginbundles.cpp" line="268"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../app/link/pluginbundles.cpp" line="273"/>
        <source>cannot move %1 to %2</source>
        <translation>%1 kann nicht nach %2 verschoben werden</translation>
    </message>
</context>
<context>
    <name>peek::app::RowTableModel</name>
    <message>
        <location filename="../app/admin/rowtablemodel.cpp" line="42"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../app/admin/rowtablemodel.cpp" line="42"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>peek::app::Session</name>
    <message>
        <location filename="../app/link/session.cpp" line="198"/>
        <source>not sent: the session of %1 was lost</source>
        <translation>nicht gesendet: die Sitzung von %1 ging verloren</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="328"/>
        <source>not sent: %1</source>
        <translation>nicht gesendet: %1</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="335"/>
        <source>The service cannot be reached: log in once it is online.</source>
        <translation>Der Dienst ist nicht erreichbar: Melden Sie sich an, sobald er online ist.</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="359"/>
        <location filename="../app/link/session.cpp" line="448"/>
        <source>the session closed</source>
        <translation>die Sitzung wurde geschlossen</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="361"/>
        <source>Login failed: %1</source>
        <translation>Anmeldung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="368"/>
        <source>Login failed: the service&apos;s answer is unreadable</source>
        <translation>Anmeldung fehlgeschlagen: Die Antwort des Dienstes ist nicht lesbar</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="407"/>
        <source>not sent: %1 logged out before it was sent</source>
        <translation>nicht gesendet: %1 hat sich vor dem Versand abgemeldet</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="431"/>
        <source>The service cannot be reached: enrol this device once it is online.</source>
        <translation>Der Dienst ist nicht erreichbar: Registrieren Sie dieses Gerät, sobald er online ist.</translation>
    </message>
    <message>
        <location filename="../app/link/session.cpp" line="450"/>
        <source>Enrolment failed: %1</source>
        <translation>Registrierung fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>peek::app::TupleEditor</name>
    <message>
        <location filename="../app/qml/tupleeditor.cpp" line="54"/>
        <source>Another change of %1 is still under way.</source>
        <translation>Eine andere Änderung an %1 ist noch unterwegs.</translation>
    </message>
    <message>
        <location filename="../app/qml/tupleeditor.cpp" line="56"/>
        <source>Cannot edit %1: the app has no connection to a service.</source>
        <translation>%1 kann nicht bearbeitet werden: Die App hat keine Verbindung zu einem Dienst.</translation>
    </message>
    <message>
        <location filename="../app/qml/tupleeditor.cpp" line="58"/>
        <source>Cannot edit: set the editor&apos;s plugin and tupleName first.</source>
        <translation>Bearbeiten nicht möglich: Zuerst plugin und tupleName des Editors setzen.</translation>
    </message>
    <message>
        <location filename="../app/qml/tupleeditor.cpp" line="60"/>
        <source>Cannot edit %1 offline: the service cannot be reached.</source>
        <translation>%1 kann offline nicht bearbeitet werden: Der Dienst ist nicht erreichbar.</translation>
    </message>
    <message>
        <location filename="../app/qml/tupleeditor.cpp" line="85"/>
        <source>the connection closed before the service answered</source>
        <translation>die Verbindung wurde geschlossen, bevor der Dienst antwortete</translation>
    </message>
</context>
</TS>
