#include "admin/identityactions.h"

#include "action/tupleactions.h"

namespace peek::identity {

namespace {

const QString kUserPlugin = QStringLiteral("peek_core_user");
const QString kDevicePlugin = QStringLiteral("peek_core_device");

Dict serviceFlags(const QString &service)
{
    return {{QStringLiteral("isFieldService"), Value(service == QLatin1String("field"))},
            {QStringLiteral("isOfficeService"), Value(service == QLatin1String("office"))}};
}

} // namespace

Dict userProcessorFilt()
{
    return action::processorFilt(kUserPlugin, QStringLiteral("peekPluginUser"));
}

Dict deviceProcessorFilt()
{
    return action::processorFilt(kDevicePlugin, kDevicePlugin);
}

Dict deviceFilt(const QString &key)
{
    return {{QStringLiteral("plugin"), Value(kDevicePlugin)}, {QStringLiteral("key"), Value(key)}};
}

TuplePtr loginAction(const QString &userName, const QString &password, const QString &service,
                     const ValueList &acceptedWarningKeys)
{
    Dict fields = serviceFlags(service);
    fields.insert(QStringLiteral("userName"), Value(userName));
    fields.insert(QStringLiteral("password"), Value(password));
    fields.insert(QStringLiteral("acceptedWarningKeys"), Value(acceptedWarningKeys));
    return std::make_shared<GenericTuple>(QStringLiteral("peek_core_user.UserLoginAction"), std::move(fields));
}

TuplePtr logoutAction(const QString &userName, const QString &service)
{
    Dict fields = serviceFlags(service);
    fields.insert(QStringLiteral("userName"), Value(userName));
    fields.insert(QStringLiteral("acceptedWarningKeys"), Value(ValueList {}));
    return std::make_shared<GenericTuple>(QStringLiteral("peek_core_user.UserLogoutAction"), std::move(fields));
}

TuplePtr enrolDeviceAction(const QString &description, const QString &deviceId, const QString &deviceType,
                           const QString &deviceToken, const QString &platform)
{
    auto enrol = std::make_shared<GenericTuple>(QStringLiteral("peek_core_device.EnrolDeviceAction"),
                                                Dict {{QStringLiteral("description"), Value(description)},
                                                      {QStringLiteral("deviceId"), Value(deviceId)},
                                                      {QStringLiteral("deviceType"), Value(deviceType)},
                                                      {QStringLiteral("appVersion"), Value(QStringLiteral(PEEK_VERSION))},
                                                      {QStringLiteral("deviceToken"), Value(deviceToken)},
                                                      {QStringLiteral("platform"), Value(platform)}});
    action::stamp(*enrol);
    return enrol;
}

TuplePtr deviceOnline(const QString &deviceId, const QString &deviceToken)
{
    return std::make_shared<GenericTuple>(QStringLiteral("peek_core_device.DeviceOnlineTuple"),
                                          Dict {{QStringLiteral("deviceId"), Value(deviceId)},
                                                {QStringLiteral("deviceToken"), Value(deviceToken)},
                                                {QStringLiteral("appVersion"), Value(QStringLiteral(PEEK_VERSION))}});
}

Dict userFilt(const QString &key)
{
    return {{QStringLiteral("plugin"), Value(kUserPlugin)}, {QStringLiteral("key"), Value(key)}};
}

TuplePtr userResume(const QString &userToken)
{
    return std::make_shared<GenericTuple>(QStringLiteral("peek_core_user.UserResumeTuple"),
                                          Dict {{QStringLiteral("userToken"), Value(userToken)}});
}

} // namespace peek::identity
