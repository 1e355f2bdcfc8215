// Broken on purpose (tests): NoSuchType is not a QML type, so the view does not load.
import QtQuick

Item {
    NoSuchType { }
}
