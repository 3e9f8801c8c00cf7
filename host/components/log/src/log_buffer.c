/* Buffer dumps (ESP_LOG_BUFFER_HEX/CHAR/HEXDUMP): 16 bytes a line, each line one log message.
 * Stateless; thread safety comes from esp_log_write. */
#include <ctype.h>
#include <stdio.h>
#include "esp_log.h"

#define BYTES_PER_LINE 16

void esp_log_buffer_hex_internal(const char *tag, const void *buffer, uint16_t buff_len, esp_log_level_t level)
{
    const uint8_t *bytes = buffer;
    for (uint16_t offset = 0; offset < buff_len; offset += BYTES_PER_LINE) {
        char line[BYTES_PER_LINE * 3 + 1];
        size_t pos = 0;
        for (uint16_t i = offset; i < buff_len && i < offset + BYTES_PER_LINE; i++) {
            pos += (size_t)snprintf(line + pos, sizeof(line) - pos, pos ? " %02x" : "%02x", bytes[i]);
        }
        line[pos] = '\0';
        ESP_LOG_LEVEL(level, tag, "%s", line);
    }
}

void esp_log_buffer_char_internal(const char *tag, const void *buffer, uint16_t buff_len, esp_log_level_t level)
{
    const char *chars = buffer;
    for (uint16_t offset = 0; offset < buff_len; offset += BYTES_PER_LINE) {
        int n = buff_len - offset < BYTES_PER_LINE ? buff_len - offset : BYTES_PER_LINE;
        ESP_LOG_LEVEL(level, tag, "%.*s", n, chars + offset);
    }
}

/* One hexdump line: address, two groups of eight hex bytes, then the printable characters. */
static void format_hexdump_line(char *out, size_t out_size, const uint8_t *line, int n)
{
    size_t pos = (size_t)snprintf(out, out_size, "0x%08lx  ", (unsigned long)(uintptr_t)line);
    for (int i = 0; i < BYTES_PER_LINE; i++) {
        const char *gap = (i == BYTES_PER_LINE / 2) ? "  " : " ";
        if (i < n) {
            pos += (size_t)snprintf(out + pos, out_size - pos, "%s%02x", gap, line[i]);
        } else {
            pos += (size_t)snprintf(out + pos, out_size - pos, "%s  ", gap);
        }
    }
    pos += (size_t)snprintf(out + pos, out_size - pos, "  |");
    for (int i = 0; i < n; i++) {
        out[pos++] = isprint(line[i]) ? (char)line[i] : '.';
    }
    snprintf(out + pos, out_size - pos, "|");
}

void esp_log_buffer_hexdump_internal(const char *tag, const void *buffer, uint16_t buff_len,
                                     esp_log_level_t log_level)
{
    const uint8_t *bytes = buffer;
    for (uint16_t offset = 0; offset < buff_len; offset += BYTES_PER_LINE) {
        int n = buff_len - offset < BYTES_PER_LINE ? buff_len - offset : BYTES_PER_LINE;
        char line[128];
        format_hexdump_line(line, sizeof(line), bytes + offset, n);
        ESP_LOG_LEVEL(log_level, tag, "%s", line);
    }
}
