#include "devicetuples.h"

namespace device {
PEEK_REGISTER_TUPLE(EnrolDeviceAction)
PEEK_REGISTER_TUPLE(DeviceOnlineTuple)
PEEK_REGISTER_TUPLE(DeviceInfoTuple)
} // namespace device
