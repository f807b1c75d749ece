#ifndef CHAT_ENGINE_CMOSQUITTO_SHIM_H
#define CHAT_ENGINE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
