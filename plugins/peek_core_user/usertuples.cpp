#include "usertuples.h"

namespace user {
PEEK_REGISTER_TUPLE(UserLoginAction)
PEEK_REGISTER_TUPLE(UserLoginResponseTuple)
PEEK_REGISTER_TUPLE(UserLogoutAction)
PEEK_REGISTER_TUPLE(UserResumeTuple)
PEEK_REGISTER_TUPLE(UserStatusTuple)
PEEK_REGISTER_TUPLE(UserDetailTuple)
} // namespace user
