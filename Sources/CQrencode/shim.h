// Debian's libqrencode (libqrencode-dev): QR codes of invitation links and counter signs.
#include <qrencode.h>
