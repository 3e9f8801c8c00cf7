# linux (ESP-IDF's linux target): plain ws:// over loopback, static buffers.
CONFIG_HAMMER_NETWORK_LINK_NONE=y
CONFIG_ESP_WS_CLIENT_ENABLE_DYNAMIC_BUFFER=n
