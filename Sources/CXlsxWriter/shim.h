// Debian's libxlsxwriter (libxlsxwriter-dev): writes the quarterly report's workbook.
#include <xlsxwriter.h>
